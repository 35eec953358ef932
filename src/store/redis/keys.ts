/**
 * The Redis key layout of one profile. Every key of a profile carries the same hash tag
 * (`{<profileId>}`), so Redis Cluster puts them in one slot and each Lua script touches one slot.
 *
 * | key                         | type   | holds                                                        |
 * |-----------------------------|--------|--------------------------------------------------------------|
 * | `<prefix>:{<id>}:cred`      | hash   | version, encrypted access/refresh, expires, fingerprints     |
 * | `<prefix>:{<id>}:usage`     | hash   | errorCount, cooldownUntil, lastFailureAt, lastUsed (epoch ms), |
 * |                             |        | lastFailure (JSON, no secrets), refreshTokenDead (`1`)        |
 * | `<prefix>:{<id>}:lease`     | string | `<holder>/<fence>` of the lease holder, with a PX expiry      |
 * | `<prefix>:{<id>}:fence`     | string | the fencing counter (INCR on every lease taken)              |
 * | `<prefix>:{<id>}:spend`     | hash   | the refresh token being spent: digest, holder, at, takeovers |
 * | `<prefix>:{<id>}:dead`      | set    | digests of refresh tokens the endpoint refused (invalid_grant)|
 * | `<prefix>:{<id>}:changed`   | pubsub | `{"version","fingerprint"}` published on every commit         |
 * | `<prefix>:{<id>}:probe`     | string | `checkWritable`'s probe write (holder id, lives 10 s)         |
 */

/** Default key prefix. */
export const DEFAULT_KEY_PREFIX = 'oauthrec';

/** The keys of one profile. */
export interface ProfileKeys {
  cred: string;
  usage: string;
  lease: string;
  fence: string;
  spend: string;
  dead: string;
  /** The pub/sub channel (not a key; named alike for readability). */
  changed: string;
  /** Written (with a short expiry) by `checkWritable` to learn whether the server takes writes. */
  probe: string;
}

/** The keys of `profileId` under `prefix`. A `}` or `{` in the id would break the hash tag and is refused. */
export function profileKeys(prefix: string, profileId: string): ProfileKeys {
  if (/[{}]/.test(profileId)) throw new RangeError('a profile id for the Redis store may not contain { or }');
  const base = `${prefix}:{${profileId}}`;
  return {
    cred: `${base}:cred`,
    usage: `${base}:usage`,
    lease: `${base}:lease`,
    fence: `${base}:fence`,
    spend: `${base}:spend`,
    dead: `${base}:dead`,
    changed: `${base}:changed`,
    probe: `${base}:probe`,
  };
}
