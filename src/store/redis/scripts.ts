/**
 * The Lua scripts of the Redis store, as plain definitions: the client loader passes them through
 * node-redis's `defineScript` after its dynamic import, and the client runs them by EVALSHA with
 * an EVAL fallback when the server lost its script cache (this module imports types only). Each
 * touches the keys of one profile only (one hash tag, one Cluster slot). Replies are small arrays
 * of strings/numbers.
 */
import type { CommandParser } from '@redis/client';

/** A script's `[status, detail]` reply. */
export type ScriptReply = [string, string | number];
const asReply = (reply: unknown): ScriptReply => {
  const [status, detail] = reply as [unknown, unknown];
  return [String(status), typeof detail === 'number' ? detail : String(detail ?? '')];
};
const asNumber = (reply: unknown): number => Number(reply);
const isOne = (reply: unknown): boolean => Number(reply) === 1;

/**
 * One script in the form node-redis's `defineScript` takes: `encode` turns the typed call
 * arguments into KEYS (as many as `keys` says) and ARGV; `reply` types what the script returns.
 */
function luaScript<Args extends unknown[], Reply>(definition: {
  keys: number;
  lua: string;
  encode: (...args: Args) => [keys: string[], argv: string[]];
  reply: (reply: unknown) => Reply;
}) {
  return {
    NUMBER_OF_KEYS: definition.keys,
    SCRIPT: definition.lua,
    parseCommand(parser: CommandParser, ...args: Args) {
      const [keys, argv] = definition.encode(...args);
      for (const key of keys) parser.pushKey(key);
      parser.push(...argv);
    },
    transformReply: definition.reply,
  };
}

/** KEYS lease, fence; ARGV holder, ttlMs → the fence number taken, or 0 while someone holds it. */
const acquireLease = luaScript({
  keys: 2,
  encode: (lease: string, fence: string, holder: string, ttlMs: number) => [
    [lease, fence],
    [holder, String(ttlMs)],
  ],
  reply: asNumber,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '/' .. fence, 'PX', ARGV[2])
return fence`,
});

/** KEYS lease; ARGV value, ttlMs → 1 when still ours (expiry pushed out), 0 when lost. */
const renewLease = luaScript({
  keys: 1,
  encode: (lease: string, value: string, ttlMs: number) => [[lease], [value, String(ttlMs)]],
  reply: isOne,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
});

/** KEYS lease; ARGV value → 1 when it was ours and is released, 0 otherwise. */
const releaseLease = luaScript({
  keys: 1,
  encode: (lease: string, value: string) => [[lease], [value]],
  reply: isOne,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`,
});

/** What a commit writes: sealed tokens, metadata, and who wrote it. */
export interface CommitRecord {
  access: string;
  refresh: string;
  expires: number;
  /** Fingerprint of the access token (12 hex). */
  fp: string;
  /** HMAC digest of the refresh token. */
  rfp: string;
  fence: number;
  writer: string;
  at: number;
}

/**
 * KEYS cred, lease, spend, dead; ARGV leaseValue, expectedVersion, spentDigest, channel, then
 * the record's fields, then the dead set's ttl. Lands when we hold the lease and the version is
 * the one we read, or (always) when the stored pair is the one whose refresh token we spent.
 * A spent refresh token joins the dead set (unless the answer kept it). → ['ok', newVersion] |
 * ['lost', storedVersion] | ['conflict', storedVersion].
 */
const commit = luaScript({
  keys: 4,
  encode: (
    keys: { cred: string; lease: string; spend: string; dead: string; changed: string },
    leaseValue: string,
    expectedVersion: number,
    spentDigest: string,
    record: CommitRecord,
    deadTtlMs: number,
  ) => [
    [keys.cred, keys.lease, keys.spend, keys.dead],
    [
      ...[leaseValue, String(expectedVersion), spentDigest, keys.changed],
      ...[record.access, record.refresh, String(record.expires), record.fp, record.rfp],
      ...[String(record.fence), record.writer, String(record.at), String(deadTtlMs)],
    ],
  ],
  reply: asReply,
  lua: `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local storedRfp = redis.call('HGET', KEYS[1], 'rfp') or ''
local replaces = ARGV[3] ~= '' and storedRfp == ARGV[3]
if not replaces then
  if version ~= tonumber(ARGV[2]) then return {'conflict', version} end
  if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'lost', version} end
end
version = version + 1
redis.call('HSET', KEYS[1], 'version', version, 'access', ARGV[5], 'refresh', ARGV[6], 'expires', ARGV[7],
  'fp', ARGV[8], 'rfp', ARGV[9], 'fence', ARGV[10], 'writer', ARGV[11], 'at', ARGV[12])
if ARGV[3] ~= '' and redis.call('HGET', KEYS[3], 'digest') == ARGV[3] then redis.call('DEL', KEYS[3]) end
if ARGV[3] ~= '' and ARGV[3] ~= ARGV[9] then
  redis.call('SADD', KEYS[4], ARGV[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[13])
end
redis.call('PUBLISH', ARGV[4], cjson.encode({version = version, fingerprint = ARGV[8]}))
return {'ok', version}`,
});

/**
 * KEYS spend, dead; ARGV digest, holder, at, ttlMs. Records that `holder` is about to send the
 * refresh token with this digest. → ['ok', ''] | ['ok', 'takeover'] (another holder's spend was
 * interrupted: this is the one retry) | ['dead', ''] (the endpoint already refused it) |
 * ['exhausted', previousHolder] (an interrupted spend was already retried once).
 */
const beginSpend = luaScript({
  keys: 2,
  encode: (
    keys: { spend: string; dead: string },
    digest: string,
    holder: string,
    at: number,
    ttlMs: number,
  ) => [
    [keys.spend, keys.dead],
    [digest, holder, String(at), String(ttlMs)],
  ],
  reply: asReply,
  lua: `
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {'dead', ''} end
local current = redis.call('HGET', KEYS[1], 'digest')
local takeovers = 0
local kind = ''
if current == ARGV[1] then
  local holder = redis.call('HGET', KEYS[1], 'holder')
  takeovers = tonumber(redis.call('HGET', KEYS[1], 'takeovers') or '0')
  if holder ~= ARGV[2] then
    if takeovers >= 1 then return {'exhausted', holder} end
    takeovers = takeovers + 1
    kind = 'takeover'
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'holder', ARGV[2], 'at', ARGV[3], 'takeovers', takeovers)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {'ok', kind}`,
});

/** KEYS spend, dead; ARGV digest, ttlMs: the endpoint refused this token; every host learns it. */
const markDead = luaScript({
  keys: 2,
  encode: (keys: { spend: string; dead: string }, digest: string, ttlMs: number) => [
    [keys.spend, keys.dead],
    [digest, String(ttlMs)],
  ],
  reply: asNumber,
  lua: `
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if redis.call('HGET', KEYS[1], 'digest') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`,
});

/**
 * KEYS usage, lease; ARGV leaseValue, then field/value pairs (value '' deletes the field).
 * → 1 when written under our lease, 0 when the lease was lost (nothing written).
 */
const writeUsage = luaScript({
  keys: 2,
  encode: (keys: { usage: string; lease: string }, leaseValue: string, fields: Array<[string, string]>) => [
    [keys.usage, keys.lease],
    [leaseValue, ...fields.flat()],
  ],
  reply: isOne,
  lua: `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`,
});

/** The scripts, before `defineScript` adds their SHA1. */
export const SCRIPT_DEFINITIONS = {
  acquireLease,
  renewLease,
  releaseLease,
  commit,
  beginSpend,
  markDead,
  writeUsage,
};
