/**
 * `doctor`'s checks of a Redis fleet store: the server answers and the key decrypts the
 * profile, then the fleet state (lease holder, version and committer, a spend in flight, the
 * dead-token count, replication role and lag), the last failure any host persisted, and whether
 * the server takes writes now (`checkWritable`). Metadata only, never a token.
 */
import { fingerprintToken } from '../credentials/fingerprint.js';
import { isCredentialBlank } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import { openCliStore } from './cli-store.js';
import type { CliConfig } from './config.js';
import type { FindingLevel } from './doctor-checks.js';
import { addLastFailureFinding } from './doctor-profile-checks.js';
import { describeFleet } from './fleet-text.js';
import { formatTime } from './format.js';
import { describeError } from './output.js';

type Add = (check: string, level: FindingLevel, message: string, fix?: string | null) => void;

/** Adds the store's and the profile's findings; returns the profile's credential when usable. */
export async function checkFleetStore(
  config: CliConfig,
  now: () => number,
  add: Add,
): Promise<OAuthCredential | null> {
  let opened: ReturnType<typeof openCliStore>;
  try {
    opened = openCliStore(config, now);
  } catch (error) {
    const report = describeError(error);
    add('store.redis', 'error', report.message, report.hint ?? null);
    return null;
  }
  try {
    const fleet = await opened.redis!.fleetStatus(config.profileId);
    add('store.redis', 'ok', `store ${opened.store.location} (${config.storeOrigin})`);
    const text = describeFleet(fleet, now());
    add('fleet.lease', 'ok', text.lease);
    add('fleet.version', 'ok', text.version);
    add('fleet.spend', 'ok', text.spending);
    add('fleet.deadTokens', 'ok', text.deadTokens);
    const onReplica = fleet.replication.role !== 'master';
    add(
      'fleet.replication',
      onReplica ? 'error' : 'ok',
      text.replication,
      onReplica ? 'Point --store at the primary: a replica refuses writes.' : null,
    );
    const credential = await opened.store.readCredential(config.profileId);
    const { lastFailure } = await opened.store.readUsage(config.profileId);
    if (lastFailure) {
      addLastFailureFinding(
        add,
        lastFailure,
        credential?.expiresAt ?? null,
        `Check the server (${opened.store.location}): writable primary, memory, replicas, ACL.`,
        now(),
      );
    }
    const writable = await opened.store.checkWritable?.().then(
      () => null,
      (error: unknown) => describeError(error),
    );
    add(
      'store.writable',
      writable ? 'error' : 'ok',
      writable?.message ?? 'the server takes writes (a probe write under the profile landed)',
      writable?.hint ?? null,
    );
    if (!credential || isCredentialBlank(credential)) {
      add(
        'profile',
        'error',
        `no oauth profile ${config.profileId} in ${opened.store.location}`,
        'Log in with `claude`, then run `oauth-recovery sync --store <this url>` on one host.',
      );
      return null;
    }
    add(
      'profile',
      'ok',
      `profile ${config.profileId}, fingerprint ${fingerprintToken(credential.accessToken)}, expires ${formatTime(credential.expiresAt)}`,
    );
    return credential;
  } catch (error) {
    const report = describeError(error);
    add(
      'store.redis',
      'error',
      report.message,
      report.hint ?? 'Check the URL, the server and OAUTH_RECOVERY_REDIS_KEY.',
    );
    return null;
  } finally {
    await opened.close();
  }
}
