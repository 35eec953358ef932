/**
 * Lossless JSON for the store document (lossless-json 4): numbers a JavaScript number cannot
 * hold exactly (integers above 2^53, `1e400`, long decimals) are kept as `LosslessNumber`
 * and written back digit for digit, so another tool's data survives our rewrite
 * byte-for-meaning. Every other number is an ordinary `number`, so our schemas and our own
 * fields work as before. Only the store uses this; the Claude CLI's file holds no such numbers.
 */
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

export { isLosslessNumber, LosslessNumber };

/** A safe number as a `number`; anything that would lose digits as a `LosslessNumber`. */
function parseNumber(text: string): number | LosslessNumber {
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text);
}

/**
 * Parses JSON text like `JSON.parse`, keeping unsafe numbers exactly.
 * @throws {SyntaxError} on invalid JSON (the message may quote the text: never show it).
 */
export function parseLosslessJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Like `JSON.stringify(value, null, indent)`, writing each `LosslessNumber` as its digits. */
export function stringifyLosslessJson(value: unknown, indent?: string): string {
  return stringify(value, null, indent) ?? 'null';
}

/**
 * A stored number as a JavaScript number: a `number` as is, a `LosslessNumber` by its nearest
 * double (possibly `Infinity`), anything else `NaN`. For fields we own, whose value is then
 * clamped by the caller.
 */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (isLosslessNumber(value)) return Number.parseFloat(value.value);
  return Number.NaN;
}
