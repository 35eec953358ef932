/**
 * Reading and committing one profile's credential record under the lease.
 *
 * - `commitCredential` is compare-and-set on the version read; on a conflict the freshness gate
 *   decides again against what is stored now (write over it, no-op, or DowngradeRefusedError).
 *   A connection lost mid-commit (server killed, failover) is retried after the reconnect: the
 *   record is re-read first, so a commit that did land is not written twice.
 * - `healFromMirror` puts this host's mirrored credential back when it beats the stored one and
 *   its refresh token is not in the dead set (a failover lost the commit).
 */

import { fingerprintToken } from '../../credentials/fingerprint.js';
import { decideCredentialWrite } from '../../credentials/freshness.js';
import type { OAuthCredential } from '../../credentials/types.js';
import { DowngradeRefusedError, LockCompromisedError, RedisStoreError } from '../../errors.js';
import { openRecord, type StoredRecord, sealRecord } from './credential-record.js';
import type { ProfileKeys } from './keys.js';
import type { HeldLease } from './lease.js';
import type { LocalMirror } from './local-mirror.js';
import type { StoreConnection } from './store-connection.js';
import type { ResolvedRedisOptions } from './store-options.js';
import type { TokenCipher } from './token-cipher.js';

export interface CommitContext {
  connection: StoreConnection;
  cipher: TokenCipher;
  config: ResolvedRedisOptions;
  mirror: LocalMirror | null;
}

/** @throws RedisStoreError when unreachable or when the record does not decrypt with our key. */
export async function readRecord(ctx: CommitContext, keys: ProfileKeys): Promise<StoredRecord> {
  const hash = await ctx.connection.op('read', (client) => client.hGetAll(keys.cred));
  try {
    return openRecord(ctx.cipher, keys.cred, hash as Record<string, string>);
  } catch (error) {
    throw new RedisStoreError(ctx.config.location, `${keys.cred}: ${(error as Error).message}`, {
      hint: 'Every host must use the same OAUTH_RECOVERY_REDIS_KEY.',
    });
  }
}

/**
 * Commits `write` over `record` (read under `lease`).
 * @throws DowngradeRefusedError, LockCompromisedError (lease lost, nothing written),
 *   RedisStoreError (unreachable past operationTimeoutMs; the mirror keeps the credential).
 */
export async function commitCredential(
  ctx: CommitContext,
  profileId: string,
  keys: ProfileKeys,
  lease: HeldLease,
  record: StoredRecord,
  write: OAuthCredential,
  replacesSpent: string | undefined,
): Promise<void> {
  const { cipher, config, connection } = ctx;
  const spentDigest = replacesSpent ? cipher.digest(replacesSpent) : '';
  const deadline = Date.now() + config.operationTimeoutMs;
  let read = record;
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const sealed = sealRecord(cipher, keys.cred, write, {
      writer: config.holderId,
      fence: lease.fence,
      at: config.now(),
    });
    let reply: Array<string | number>;
    try {
      reply = await connection.op('commit', (client) =>
        client.commit(keys, lease.value, read.version, spentDigest, sealed, config.deadTokenTtlMs),
      );
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      // The connection dropped mid-commit: look at what landed once the server answers again.
      read = await readRecord(ctx, keys);
      if (read.fingerprint === fingerprintToken(write.accessToken)) return;
      continue;
    }
    const [status, version] = reply;
    if (status === 'ok') {
      if (config.waitForReplicas) await waitForReplicas(ctx, Number(version));
      return;
    }
    if (status === 'lost') throw new LockCompromisedError(keys.lease);
    read = await readRecord(ctx, keys);
    const decision = decideCredentialWrite(write, read.credential, config.now(), config.marginMs, {
      replacesSpent,
    });
    if (decision.action === 'noop') return;
    if (decision.action === 'refuse') {
      throw new DowngradeRefusedError(`${config.location} profile ${profileId}`, decision.reason);
    }
  }
  throw new RedisStoreError(config.location, `${keys.cred}: the version kept changing during the commit`);
}

/** `WAIT replicas timeoutMs` on the writing connection; fewer acknowledgements are a warning. */
async function waitForReplicas(ctx: CommitContext, version: number): Promise<void> {
  const { replicas, timeoutMs } = ctx.config.waitForReplicas as { replicas: number; timeoutMs: number };
  const acked = await ctx.connection.op('WAIT', (client) => client.wait(replicas, timeoutMs));
  if (acked < replicas) {
    ctx.config.onWarning('replicasBehind', {
      location: ctx.config.location,
      version,
      acked,
      wanted: replicas,
    });
  }
}

/** Under the lease: the record after putting this host's mirrored credential back, if it is better. */
export async function healFromMirror(
  ctx: CommitContext,
  profileId: string,
  keys: ProfileKeys,
  lease: HeldLease,
  record: StoredRecord,
): Promise<StoredRecord> {
  const better = await ctx.mirror?.fresherThan(profileId, record.credential);
  if (!better) return record;
  // A pair whose refresh token was spent or refused is dead, however late its expiry.
  const digest = ctx.cipher.digest(better.refreshToken);
  const dead = await ctx.connection.op('read dead set', (client) => client.sIsMember(keys.dead, digest));
  if (dead) return record;
  await commitCredential(ctx, profileId, keys, lease, record, better, undefined);
  ctx.config.onWarning('healedFromMirror', {
    location: ctx.config.location,
    profileId,
    from: record.version,
  });
  return readRecord(ctx, keys);
}
