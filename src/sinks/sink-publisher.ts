/**
 * Feeds sinks from a running auth recovery through its public API only: whenever it is
 * `valid` with a credential the sinks have not received (after start, a refresh, a CLI sync or
 * a token another process refreshed), the current access token and its expiry are published
 * to every sink. Sinks run one after another, each on its own: a failing sink is logged
 * (without the token), keeps its last good status, and is retried at the next publish and on
 * a backoff timer. Nothing a sink does reaches the refresh or the stored credential.
 */
import { fingerprintToken } from '../credentials/fingerprint.js';
import type { Logger } from '../logging/logger.js';
import type { AuthRecoverySnapshot } from '../runtime/snapshot.js';
import type { PublishedToken, Sink, SinkStatus } from './types.js';

/** The part of `AuthRecovery` the publisher reads. */
export interface PublisherSource {
  readonly profileId: string;
  getSnapshot(): AuthRecoverySnapshot;
  subscribe(listener: (snapshot: AuthRecoverySnapshot) => void): () => void;
  getAccessToken(): Promise<string>;
}

/** Options of `createSinkPublisher`; delays in ms. */
export interface SinkPublisherOptions {
  sinks: readonly Sink[];
  logger?: Logger;
  /** Epoch-ms clock. Default `Date.now`. */
  now?: () => number;
  /** First retry delay after a failed publish, ms (doubles per failure up to `maxRetryDelayMs`). Default 30 000. */
  retryDelayMs?: number;
  /** Default 300 000 (5 min). */
  maxRetryDelayMs?: number;
  /** Called with every sink's status after each publish round (e.g. to persist it for `status`). */
  onStatus?: (statuses: SinkStatus[]) => void;
}

/** Feeds sinks from one recovery; see `createSinkPublisher`. */
export interface SinkPublisher {
  /** Starts listening to `source`; publishes at once if it is already valid. Returns `stop`. */
  attach(source: PublisherSource): () => void;
  /** Publishes the current token to every sink that lacks it (or failed); resolves when done. */
  publishNow(): Promise<void>;
  statuses(): SinkStatus[];
  /** Stops timers and waits for a publish in flight. */
  stop(): Promise<void>;
}

/** Creates the publisher; `attach` it to a recovery before or after `start()`. */
export function createSinkPublisher(options: SinkPublisherOptions): SinkPublisher {
  const now = options.now ?? Date.now;
  const baseDelay = options.retryDelayMs ?? 30_000;
  const maxDelay = options.maxRetryDelayMs ?? 300_000;
  const state = options.sinks.map<{ sink: Sink; status: SinkStatus }>((sink) => ({
    sink,
    status: {
      kind: sink.kind,
      target: sink.target,
      lastPublishAt: null,
      lastPublishedExpiresAt: null,
      lastPublishedFingerprint: null,
      lastError: null,
    },
  }));
  let source: PublisherSource | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  function needsPublish(fingerprint: string): boolean {
    return state.some(
      ({ status }) => status.lastPublishedFingerprint !== fingerprint || status.lastError !== null,
    );
  }

  async function round(): Promise<void> {
    const snapshot = source?.getSnapshot();
    const credential = snapshot?.credential;
    if (!source || snapshot?.state !== 'valid' || !credential) return;
    if (!needsPublish(credential.fingerprint)) return;
    const accessToken = await source.getAccessToken();
    const token: PublishedToken = {
      accessToken,
      expiresAt: credential.expiresAt,
      profileId: source.profileId,
    };
    const fingerprint = fingerprintToken(accessToken);
    let failed = false;
    for (const entry of state) {
      if (entry.status.lastPublishedFingerprint === fingerprint && entry.status.lastError === null) continue;
      try {
        await entry.sink.publish(token);
        entry.status = {
          ...entry.status,
          lastPublishAt: now(),
          lastPublishedExpiresAt: token.expiresAt,
          lastPublishedFingerprint: fingerprint,
          lastError: null,
        };
        options.logger?.info(
          {
            event: 'sinkPublished',
            sink: entry.sink.kind,
            target: entry.sink.target,
            fingerprint,
            expiresAt: token.expiresAt,
          },
          'published the access token',
        );
      } catch (error) {
        failed = true;
        const message = error instanceof Error ? error.message : String(error);
        entry.status = { ...entry.status, lastError: { at: now(), message } };
        options.logger?.warn(
          { event: 'sinkFailed', sink: entry.sink.kind, target: entry.sink.target, err: error },
          'could not publish the access token; retrying later',
        );
      }
    }
    options.onStatus?.(statuses());
    scheduleRetry(failed);
  }

  function scheduleRetry(failed: boolean): void {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    if (!failed) {
      failures = 0;
      return;
    }
    if (stopped) return;
    const delay = Math.min(baseDelay * 2 ** failures, maxDelay);
    failures += 1;
    retryTimer = setTimeout(() => void publishNow(), delay);
    retryTimer.unref();
  }

  function publishNow(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round();
        } catch (error) {
          // getAccessToken() can reject (cooldown, stop): the next valid state publishes.
          options.logger?.debug({ event: 'sinkPublishSkipped', err: error }, 'no token to publish');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function statuses(): SinkStatus[] {
    return state.map(({ status }) => ({ ...status, lastError: status.lastError && { ...status.lastError } }));
  }

  return {
    attach(next) {
      source = next;
      const unsubscribe = next.subscribe((snapshot) => {
        if (snapshot.state === 'valid') void publishNow();
      });
      void publishNow();
      return unsubscribe;
    },
    publishNow,
    statuses,
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await running;
    },
  };
}

/**
 * Wires a publisher to a recovery when `sinks` are given (used by `createAuthRecovery`).
 * Returns its `stop`, or undefined when there are no sinks.
 */
export function attachSinkPublisher(
  source: PublisherSource,
  options: Omit<SinkPublisherOptions, 'sinks'> & { sinks?: readonly Sink[] },
): (() => Promise<void>) | undefined {
  if (!options.sinks?.length) return undefined;
  const publisher = createSinkPublisher({ ...options, sinks: options.sinks });
  const detach = publisher.attach(source);
  return async () => {
    detach();
    await publisher.stop();
  };
}
