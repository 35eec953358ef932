/**
 * Outside JSON documents in and out, one way for every file we touch.
 * In: text → JSON → zod schema, or a `CredentialParseError` naming the file and the field.
 * Messages are built from the issue's path and kind only: never the received value, never
 * JSON.parse's message (it quotes the text it choked on, possibly a token). The original
 * object is returned as parsed, so key order and unknown fields survive a later rewrite
 * exactly (our schemas never transform values).
 * Out: JSON in the style of the text it replaces, so a rewrite changes only what changed.
 */
import type { z } from 'zod';
import { CredentialParseError } from '../errors.js';

/**
 * Text → JSON → schema, or a `CredentialParseError` naming the file and the field. `parseJson`
 * defaults to `JSON.parse`; the store passes a lossless parser.
 * @throws {CredentialParseError} empty, HTML, invalid JSON, or a schema mismatch.
 */
export function parseJsonDocument<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  parseJson: (text: string) => unknown = JSON.parse,
): z.output<S> {
  const trimmed = text.trim();
  if (trimmed === '') throw new CredentialParseError(file, '', 'is empty (expected a JSON object)');
  if (trimmed.startsWith('<')) {
    throw new CredentialParseError(
      file,
      '',
      'is an HTML/XML page, not JSON (an error page saved by mistake?)',
    );
  }
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new CredentialParseError(
      file,
      '',
      `is not valid JSON${position ? ` (error at character ${position})` : ''}: truncated or corrupt`,
    );
  }
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new CredentialParseError(
      file,
      first ? fieldPath(first.path) : '',
      `${describeIssue(first)}${more}`,
    );
  }
  return raw as z.output<S>;
}

/** `claudeAiOauth.expiresAt`, `profiles["a.b"].access`, `scopes[2]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_$][\w$:@-]*$/.test(key)
        ? `${out === '' ? '' : '.'}${key}`
        : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'is invalid';
  switch (issue.code) {
    case 'invalid_type': {
      const root = issue.path.length === 0;
      if (issue.input === undefined && !root) return `is missing (expected ${issue.expected})`;
      return `has the wrong type (expected ${issue.expected}, got ${kindOf(issue.input)})`;
    }
    case 'invalid_value':
      return `has an unsupported value (expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')})`;
    case 'too_small':
    case 'too_big':
      return 'is out of range';
    case 'invalid_union':
      return 'does not match any allowed shape';
    case 'custom':
      return issue.message;
    default:
      return `is invalid (${issue.code})`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** JSON in the style of the text it replaces (indentation, final newline); compact when new. */
export function serializeLike(
  value: unknown,
  previousText: string | undefined,
  stringifyJson: (value: unknown, indent: string | undefined) => string = (v, indent) =>
    JSON.stringify(v, null, indent),
): string {
  const indent = previousText ? /^\{[ \t]*\r?\n([ \t]+)"/.exec(previousText)?.[1] : undefined;
  const text = stringifyJson(value, indent);
  return previousText?.endsWith('\n') ? `${text}\n` : text;
}
