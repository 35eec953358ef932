/**
 * The token gate: what `getAccessToken()` reads. While the machine is `valid` the token sits in
 * plain fields, so the hot path is one clock read and a cached promise (no I/O, no lock, no
 * allocation). During a recovery every caller waits on one shared waiter, which the next
 * `valid` releases and a cooldown or `stop()` fails.
 */
import { type CredentialView, type RecoveryStateName, usableMarginMs } from '../../machines/index.js';
import type { OAuthCredential } from '../credentials/types.js';
import { createDeferred, type Deferred } from '../deferred.js';
import { CooldownError, StoppedError } from '../errors.js';
import type { PendingCalls } from './pending-calls.js';

/** What the gate needs: the clock, the freshness margin and the calls waiting for a retry. */
export interface TokenGateDeps {
  profileId: string;
  /** Epoch-ms clock. */
  now: () => number;
  /** A token within this many ms of its expiry is not served from the cache. */
  freshnessMarginMs: number;
  pending: PendingCalls;
}

/** The hot-path cache of the valid token, and the waiters of a recovery. */
export class TokenGate {
  /** The machine's current state, as last reported by `enter`. */
  state: RecoveryStateName = 'initializing';
  private validToken: string | undefined;
  /** The same token as one settled promise, handed to every hot-path caller (no allocation). */
  private validPromise: Promise<string> | undefined;
  /** Epoch ms after which the cached token is not served without asking the machine. */
  private validUntil = 0;
  private recovery: Deferred<void> | undefined;
  private stopped = false;
  /**
   * The valid token while no call has succeeded with it since a recovery brought it; the first
   * success is reported to the machine once (see `accepted`), so rejections right after a
   * refresh can be told from a revocation later.
   */
  private unproven: string | undefined;

  constructor(private readonly deps: TokenGateDeps) {}

  /** The cached token while valid and not near expiry, else undefined (then ask the machine). */
  cached(): Promise<string> | undefined {
    return this.validPromise !== undefined && this.deps.now() < this.validUntil
      ? this.validPromise
      : undefined;
  }

  /** The valid token, whatever the clock says; undefined outside `valid`. */
  get token(): string | undefined {
    return this.validToken;
  }

  /**
   * True once per token a recovery brought: the first call that succeeded with `token`. The
   * caller then tells the machine (TOKEN_ACCEPTED). A string compare on the hot path, nothing more.
   */
  accepted(token: string): boolean {
    if (this.unproven === undefined || token !== this.unproven) return false;
    this.unproven = undefined;
    return true;
  }

  /**
   * The machine entered `state`. `valid` caches `credential` and releases every waiter and
   * pending call; `cooldown` fails them with a `CooldownError` until `cooldownUntil` (epoch ms);
   * any other state starts (or keeps) a recovery that callers wait on. `view` is the machine's
   * metadata of the credential: its issue time scales the margin to a short lifetime, and
   * `proven: false` marks a token no call has succeeded with yet.
   */
  enter(
    state: RecoveryStateName,
    credential: OAuthCredential | undefined,
    cooldownUntil: number,
    view?: { issuedAt?: CredentialView['issuedAt']; proven: boolean },
  ): void {
    this.state = state;
    if (state === 'valid') {
      this.validToken = credential?.accessToken;
      this.validPromise = this.validToken === undefined ? undefined : Promise.resolve(this.validToken);
      this.validUntil = credential
        ? credential.expiresAt -
          usableMarginMs(
            { expiresAt: credential.expiresAt, issuedAt: view?.issuedAt },
            this.deps.freshnessMarginMs,
          )
        : 0;
      this.unproven = view?.proven === false ? this.validToken : undefined;
      if (credential) this.deps.pending.releaseAll(credential.accessToken);
      this.recovery?.resolve();
      this.recovery = undefined;
      return;
    }
    this.validToken = undefined;
    this.validPromise = undefined;
    this.validUntil = 0;
    if (state === 'cooldown') {
      this.failWaiters(new CooldownError(this.deps.profileId, cooldownUntil));
    } else {
      this.recovery ??= createDeferred({ quiet: true });
    }
  }

  /**
   * Waits until the machine is `valid` and returns its token.
   *
   * @param cooldownUntil reads the machine's cooldown deadline (epoch ms), or null.
   * @throws {CooldownError} when the machine is in a cooldown whose deadline has not passed.
   * @throws {StoppedError} when the runtime was stopped.
   */
  async waitForToken(cooldownUntil: () => number | null): Promise<string> {
    for (;;) {
      if (this.state === 'valid' && this.validToken !== undefined) return this.validToken;
      if (this.state === 'cooldown') {
        const until = cooldownUntil() ?? this.deps.now();
        // A deadline that has passed is about to fire: wait for it rather than fail the call.
        if (until > this.deps.now()) throw new CooldownError(this.deps.profileId, until);
      }
      if (this.stopped) throw new StoppedError();
      // Nobody may be waiting when a recovery ends in cooldown: a quiet rejection.
      this.recovery ??= createDeferred({ quiet: true });
      await this.recovery.promise;
    }
  }

  /** Stops serving: every waiter and pending call fails with `StoppedError`. */
  stop(): void {
    this.stopped = true;
    this.failWaiters(new StoppedError());
  }

  private failWaiters(error: Error): void {
    this.deps.pending.failAll(error);
    this.recovery?.reject(error);
    this.recovery = undefined;
  }
}
