/**
 * Usage stats as a Redis hash (the same fields and rules as the file store's
 * `usageStats[<id>]`): numbers as decimal strings, `lastFailure` as its JSON, `refreshTokenDead`
 * as `1`. A cooldown that has ended reads as absent and is deleted on the next write; a malformed
 * `lastFailure` reads as absent, never as an error.
 */
import { readLastFailure } from '../last-failure.js';
import type { ProfileUsage, UsagePatch } from '../types.js';

const USAGE_FIELDS = ['errorCount', 'cooldownUntil', 'lastFailureAt', 'lastUsed'] as const;

/** The fields we own from HGETALL, with an ended cooldown left out. */
export function readUsageHash(hash: Record<string, string>, now: number): ProfileUsage {
  const usage: ProfileUsage = {};
  for (const field of USAGE_FIELDS) {
    const value = Number(hash[field]);
    if (hash[field] !== undefined && Number.isFinite(value)) usage[field] = value;
  }
  if (usage.cooldownUntil !== undefined && usage.cooldownUntil <= now) delete usage.cooldownUntil;
  const lastFailure =
    hash.lastFailure === undefined ? undefined : readLastFailure(parseJson(hash.lastFailure), now);
  if (lastFailure) usage.lastFailure = lastFailure;
  if (hash.refreshTokenDead === '1') usage.refreshTokenDead = true;
  return usage;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The field/value pairs for the usage script ('' deletes): the patch, plus the removal of an
 * ended cooldown.
 * @throws RangeError for a non-finite number.
 */
export function usageWrites(
  patch: UsagePatch,
  stored: Record<string, string>,
  now: number,
): Array<[string, string]> {
  const writes = new Map<string, string>();
  if (stored.cooldownUntil !== undefined && Number(stored.cooldownUntil) <= now)
    writes.set('cooldownUntil', '');
  for (const field of USAGE_FIELDS) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (value === null) writes.set(field, '');
    else if (value !== undefined) {
      if (!Number.isFinite(value)) throw new RangeError(`usage field ${field} must be a finite number`);
      writes.set(field, String(value));
    }
  }
  if (patch.lastFailure === null) writes.set('lastFailure', '');
  else if (patch.lastFailure !== undefined) writes.set('lastFailure', JSON.stringify(patch.lastFailure));
  if (patch.refreshTokenDead === null || patch.refreshTokenDead === false) writes.set('refreshTokenDead', '');
  else if (patch.refreshTokenDead === true) writes.set('refreshTokenDead', '1');
  return [...writes];
}
