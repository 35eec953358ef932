/**
 * Replays one path of the recovery model on the real runtime: `createAuthRecovery` on a temp
 * store, a real Claude CLI credentials file and the loopback fake of Anthropic, with a simulated
 * clock for the machine's timers. Every model event is realized by a real action:
 *
 * | model event                          | realized by                                                  |
 * |--------------------------------------|--------------------------------------------------------------|
 * | done.refreshToken(refreshed)         | the fake answers the refresh (or another process refreshed   |
 * |                                      | first and the store holds its token: adopted under the lock) |
 * | error.refreshToken(invalidGrant)     | the fake refuses the stored refresh token (400 invalid_grant, |
 * |                                      | as for an expired refresh token); its access token still     |
 * |                                      | works, as the model's `isStillValid` assumes. A token refused |
 * |                                      | before: the runtime refuses it itself, with no request       |
 * | error.refreshToken(serverError)      | `fake.failNext(1, { status: 503 })`                          |
 * | done.syncFromCli(cliFresher)         | the CLI file holds a fresher login                           |
 * | done.syncFromCli(cliNotFresher)      | a blank CLI file (an expired login when the watcher must see |
 * |                                      | a change)                                                    |
 * | error.syncFromCli(cliUnreadable)     | malformed JSON in the CLI file                               |
 * | done.retryPendingCalls(...)          | a `withAuth` call waits; its retry succeeds, or 401s too     |
 * |                                      | because the adopted login was revoked as well               |
 * | after:* timers                       | the simulated clock fires the machine's next timer           |
 * | TOKEN_EXPIRED                        | `refresh()`                                                  |
 * | AUTH_REJECTED                        | in valid: a `withAuth` call the fake API refuses (401);      |
 * |                                      | during a recovery: `reportAuthFailure(401)`                  |
 * | CREDENTIALS_CHANGED                  | a new CLI file, noticed by the runtime's directory watcher   |
 * | SYNC_REQUESTED                       | `sync()`                                                     |
 * | TOKEN_ACCEPTED                       | a `withAuth` call the fake API accepts, with a fresh token   |
 *
 * An actor's outcome is decided by the world it finds when it starts, so the world for every
 * autonomous step (actor outcomes, and `reportAuthFailure` sent the instant a recovery state is
 * entered) is prepared before the step that starts them. The replay follows the runtime through
 * its (sanitized) inspection stream and compares every state with the model's.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnyEventObject, InspectionEvent } from 'xstate';
import { isFresher } from '../../machines/index.js';
import { type ClaudeCliSource, createClaudeCliSource } from '../../src/credentials/claude-cli-source.js';
import type { OAuthCredential } from '../../src/credentials/types.js';
import { withLock } from '../../src/fs/lock.js';
import type { AuthRecovery, RecoveryStateName } from '../../src/runtime/index.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import type { ProfileStore, ProfileUsage } from '../../src/store/types.js';
import { fixtureByName, MODEL_POLICY, T0 as MODEL_T0 } from '../model/recovery-fixtures.js';
import { modelMachine, type RecoverySnapshot } from '../model/recovery-model.js';
import type { IssuedLogin } from '../support/fake-anthropic.js';
import { createRuntimeFixture, PROFILE_ID, type RuntimeFixture } from '../support/runtime-fixture.js';

const MARGIN_MS = MODEL_POLICY.freshnessMarginMs ?? 60_000;
/**
 * Wall-clock bound on one step, only reached when the runtime diverges silently. Generous: a
 * step is real I/O (locks, fsync, HTTP), and 5 s was exceeded by a sound step at load 26.
 */
const STEP_TIMEOUT_MS = 30_000;
/** The token endpoint's word that the grant is dead (the loopback fake's own invalid_grant body). */
const INVALID_GRANT = {
  status: 400,
  body: JSON.stringify({ error: 'invalid_grant', error_description: 'Refresh token not found or invalid' }),
};
const REJECTION = {
  status: 401,
  error: { type: 'error', error: { type: 'authentication_error', message: 'OAuth token has been revoked' } },
};

export interface ModelStep {
  type: string;
  fixture: string;
  /** The model's snapshot before and after the event (after `always` transitions). */
  before: RecoverySnapshot | undefined;
  after: RecoverySnapshot;
}

export function toModelSteps(path: { steps: Array<{ event: AnyEventObject; state: RecoverySnapshot }> }) {
  return path.steps.map(
    (step, index): ModelStep => ({
      type: step.event.type,
      fixture: String((step.event as { fixture?: unknown }).fixture ?? ''),
      before: path.steps[index - 1]?.state,
      after: step.state,
    }),
  );
}

type StepKind = 'init' | 'timer' | 'actor' | 'send';

function kindOf(step: ModelStep): StepKind {
  if (step.type === 'xstate.init') return 'init';
  if (step.type.startsWith('xstate.after.')) return 'timer';
  if (step.type.startsWith('xstate.done.actor.') || step.type.startsWith('xstate.error.actor.'))
    return 'actor';
  return 'send';
}

/** A send while an actor runs must land before the actor settles: it is sent the instant the state is entered. */
function isImmediate(step: ModelStep): boolean {
  const source = step.before?.value;
  return kindOf(step) === 'send' && (source === 'refreshing' || source === 'syncingFromCli');
}

/** The next actor outcome after `index`, skipping sends made while that actor runs. */
function nextOutcome(steps: readonly ModelStep[], index: number): ModelStep | undefined {
  for (let j = index + 1; j < steps.length; j += 1) {
    const step = steps[j] as ModelStep;
    if (kindOf(step) === 'actor') return step;
    if (!isImmediate(step)) return undefined;
  }
  return undefined;
}

/**
 * Does this sync adopt the CLI's login? The model's CLI login is one fixed credential: adopted
 * once, it is not fresher the second time (then the replay realizes the step as nothing fresher).
 */
function adoptsCliLogin(step: ModelStep): boolean {
  if (step.fixture !== 'cliFresher') return false;
  const output = fixtureByName(step.type, step.fixture);
  const candidate =
    output.kind === 'resolve' ? (output.output(MODEL_T0) as { credential: null }).credential : null;
  return isFresher(candidate, step.before?.context.credential ?? null, MODEL_T0, MARGIN_MS);
}

/**
 * The runtime records a refresh token refused with invalid_grant as dead (DeadRefreshTokens) and
 * never spends it again: until a new login is adopted, a later refresh fails permanent with no
 * token request (the model's invalidGrant, realized without a request), never transient.
 */
function failsTransientOnDeadRefreshToken(steps: readonly ModelStep[]): string | null {
  let deadRefreshToken = false;
  for (const step of steps) {
    if (step.type === 'xstate.error.actor.refreshToken') {
      if (deadRefreshToken && step.fixture === 'serverError') {
        return (
          'the runtime never spends a refresh token refused with invalid_grant again (DeadRefreshTokens, ' +
          'src/runtime/rotation-guard.ts): with no new login adopted since, the refresh fails permanent ' +
          'with no token request, never transient'
        );
      }
      if (step.fixture === 'invalidGrant') deadRefreshToken = true;
    }
    if (step.fixture === 'refreshed' || adoptsCliLogin(step)) deadRefreshToken = false;
  }
  return null;
}

/**
 * Why the real runtime cannot produce this path, or null. The model over-approximates in five
 * places: a refresh token refused once is never spent again; the runtime's retry bookkeeping
 * never fails; TOKEN_ACCEPTED is sent only for a token a recovery brought; a call is "rejected
 * again" only if a `withAuth` call was refused while valid (only `valid` hands out tokens); and
 * the CLI watcher reports only credentials it can read.
 */
export function whyUnrealizable(steps: readonly ModelStep[]): string | null {
  let waitingCalls = 0;
  const dead = failsTransientOnDeadRefreshToken(steps);
  if (dead) return dead;
  for (const [index, step] of steps.entries()) {
    if (step.fixture === 'retryCrashed') return "the runtime's retryPendingCalls never fails";
    if (step.type === 'TOKEN_ACCEPTED' && step.before?.context.tokenProven !== false) {
      return 'the runtime reports a success only for a token a recovery just brought';
    }
    if (step.type === 'AUTH_REJECTED' && step.before?.value === 'valid') waitingCalls += 1;
    if (step.type === 'CREDENTIALS_CHANGED' && nextOutcome(steps, index)?.fixture === 'cliUnreadable') {
      return 'the CLI watcher reports only credentials it can read';
    }
    if (step.type === 'xstate.done.actor.retryPendingCalls') {
      if (step.fixture === 'callsRejectedAgain' && waitingCalls === 0) {
        return 'no withAuth call can be waiting (a token is handed out only in valid)';
      }
      waitingCalls = 0;
    }
    if (step.after.value === 'valid' || step.after.value === 'cooldown') waitingCalls = 0;
  }
  return null;
}

/** What guards read, compared between the model and the runtime (fingerprints differ by design). */
function control(value: unknown, context: Record<string, unknown> | undefined) {
  const credential = context?.credential as { rejected?: boolean } | null | undefined;
  return JSON.stringify({
    value,
    attempts: context?.attempts,
    pending: Number(context?.pendingCalls ?? 0) > 0,
    lastError: context?.lastError ?? null,
    cooling: context?.cooldownUntil !== null && context?.cooldownUntil !== undefined,
    rejected: Boolean(credential?.rejected),
  });
}

function handles(state: string, eventType: string): boolean {
  const node = (modelMachine.states as Record<string, { ownEvents: string[] }>)[state];
  return node?.ownEvents.includes(eventType) ?? false;
}

export interface ReplayResult {
  /** Every state the machine entered, `always` pass-throughs included (from its microsteps). */
  visited: Set<string>;
  tokenRequests: number;
  expectedTokenRequests: number;
  durationMs: number;
}

export type StartName = 'a fresh login' | 'an expired login' | 'a cooldown restored after a restart';

/**
 * Where the replayed runtime keeps its profile: the fixture's file store by default; another
 * `ProfileStore` (test/store/redis/model-on-redis.test.ts: Redis) through this one seam.
 */
export interface ReplayStore {
  /** The runtime's store; undefined: the fixture's file. */
  runtime?: ProfileStore;
  /** Another process's handle on the same store: the replay seeds and prepares the world through it. */
  peer: ProfileStore;
  /** Writes the starting login (and usage stats, when given). */
  seed(login: IssuedLogin, usage: ProfileUsage | undefined): Promise<void>;
  /** Runs `fn` holding the store's lock, so the runtime's first recovery waits for it. */
  holdLock(fn: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

function fileReplayStore(fx: RuntimeFixture): ReplayStore {
  return {
    peer: createFileProfileStore({ path: fx.storePath, now: fx.clock.now, marginMs: MARGIN_MS }),
    seed: (login, usage) => fx.writeStoreLogin(login, usage ? { usageStats: { [PROFILE_ID]: usage } } : {}),
    holdLock: (fn) => withLock(fx.storePath, fn),
    close: async () => undefined,
  };
}

export async function replayOnRuntime(
  start: StartName,
  steps: readonly ModelStep[],
  openStore: (fx: RuntimeFixture) => ReplayStore = fileReplayStore,
): Promise<ReplayResult> {
  const startedAt = performance.now();
  const fx = await createRuntimeFixture();
  const store = openStore(fx);
  const replay = new Replay(fx, steps, store);
  try {
    await replay.run(start);
    return {
      visited: replay.visited,
      tokenRequests: fx.fake.tokenRequests,
      expectedTokenRequests: replay.expectedTokenRequests,
      durationMs: performance.now() - startedAt,
    };
  } finally {
    await replay.stop();
    await store.close();
    await fx.cleanup();
  }
}

class Replay {
  readonly visited = new Set<string>();
  expectedTokenRequests = 0;
  private readonly store: ProfileStore;
  private readonly signalPath: string;
  private readonly cli: ClaudeCliSource;
  private readonly cliReads = new Set<Promise<unknown>>();
  private auth: AuthRecovery | undefined;
  /** Index of the last step the runtime has been seen to take. */
  private observed = -1;
  private failure: Error | undefined;
  private wake: () => void = () => undefined;
  private signals = 0;
  /**
   * A CLI outcome that follows a failed refresh in the same run, applied at the first CLI read
   * after the refresh's token request: the refresh re-reads the CLI under its lock before it
   * spends, and would adopt a fresher CLI login prepared earlier (no token request at all). A
   * refresh the runtime refuses itself makes no request: then after its one CLI read.
   */
  private deferredCli:
    | { afterTokenRequests: number; skipReads: number; apply: () => Promise<void> }
    | undefined;
  private previousPrepared: ModelStep | undefined;
  /** Did the outcome prepared last expect a token request? */
  private previousRequests = false;
  /** Runs inside a retried call, before its API request: prepares what follows a "rejected again". */
  private retryHook: (() => Promise<void>) | undefined;
  private readonly calls: Array<Promise<unknown>> = [];
  /** Refresh tokens the fake refused: the runtime never spends them again (DeadRefreshTokens). */
  private readonly refused = new Set<string>();

  constructor(
    private readonly fx: RuntimeFixture,
    private readonly steps: readonly ModelStep[],
    private readonly world: ReplayStore,
  ) {
    this.store = world.peer;
    // The real CLI file source; its watch target is a separate signal file, so only the changes a
    // step means as CREDENTIALS_CHANGED reach the watcher (preparing an outcome must not).
    const real = createClaudeCliSource({ configDir: fx.claudeDir, now: fx.clock.now, marginMs: MARGIN_MS });
    this.signalPath = path.join(fx.dir, 'signal', '.credentials.json');
    this.cli = {
      kind: real.kind,
      location: real.location,
      watchTarget: this.signalPath,
      storageDir: real.storageDir,
      checkWritable: () => real.checkWritable(),
      read: () => {
        const read = this.applyDeferredCli().then(() => real.read());
        this.cliReads.add(read);
        void read.catch(() => undefined).finally(() => this.cliReads.delete(read));
        return read;
      },
      writeBack: (rotated, options) => real.writeBack(rotated, options),
    };
  }

  async run(start: StartName): Promise<void> {
    await this.seed(start);
    const initial = this.steps[0]?.after.value as RecoveryStateName;
    const autonomous = initial !== 'valid' && initial !== 'cooldown';
    if (autonomous) {
      await this.prepareRun(1);
      // Hold the store lock while starting, so the first recovery waits until the runtime is
      // fully started (its start-up look at the CLI must not race the recovery).
      await this.world.holdLock(() => this.startRuntime());
    } else {
      await this.startRuntime();
    }
    for (let index = 1; index < this.steps.length; index += 1) {
      await this.waitObserved(index - 1);
      const step = this.steps[index] as ModelStep;
      if (kindOf(step) === 'actor' || isImmediate(step)) continue;
      await this.prepareRun(index + 1);
      await this.perform(step);
    }
    await this.waitObserved(this.steps.length - 1);
  }

  async stop(): Promise<void> {
    await this.auth?.stop();
    await Promise.all(this.calls);
  }

  private async seed(start: StartName): Promise<void> {
    const login = this.fx.fake.issueLogin();
    const now = this.fx.clock.now();
    const seeded = start === 'a fresh login' ? login : { ...login, expiresAt: now - 1_000 };
    const usage =
      start === 'a cooldown restored after a restart'
        ? { cooldownUntil: now + 2_500, errorCount: 2 }
        : undefined;
    await this.world.seed(seeded, usage);
    await this.fx.writeCliLogin(seeded);
    await mkdir(path.dirname(this.signalPath), { recursive: true });
    await writeFile(this.signalPath, '0');
  }

  private async startRuntime(): Promise<void> {
    this.auth = this.fx.create({
      ...(this.world.runtime ? { store: this.world.runtime } : {}),
      cliSource: this.cli,
      policy: MODEL_POLICY,
      inspect: (event) => this.onInspect(event),
    });
    await this.auth.start();
    // The watcher's first look at the CLI (what counts as "unchanged") must be done before any step.
    while (this.cliReads.size > 0) await Promise.all([...this.cliReads]).catch(() => undefined);
  }

  // ── following the runtime ──────────────────────────────────────────────────────────────

  private onInspect(event: InspectionEvent): void {
    const { snapshot } = event as { snapshot?: { value?: unknown; context?: Record<string, unknown> } };
    if (typeof snapshot?.value !== 'string' || !snapshot.context) return; // not the machine
    if (event.type === '@xstate.microstep') {
      // `initializing` is entered and left within the start's macrostep, so XState reports only
      // the microstep out of it: a microstep on the init event is the proof it was entered.
      if ((event as { event?: { type?: unknown } }).event?.type === 'xstate.init')
        this.visited.add('initializing');
      this.visited.add(snapshot.value);
    }
    if (event.type !== '@xstate.snapshot') return;
    this.visited.add(snapshot.value);
    const type = String((event as { event?: { type?: unknown } }).event?.type);
    this.onMachineSnapshot(type, snapshot.value, snapshot.context);
  }

  private onMachineSnapshot(type: string, value: string, context: Record<string, unknown>): void {
    if (this.failure) return;
    const expected = this.steps[this.observed + 1];
    if (expected && type === expected.type) {
      const want = control(
        expected.after.value,
        expected.after.context as unknown as Record<string, unknown>,
      );
      const got = control(value, context);
      if (want !== got) {
        this.fail(`after step ${this.observed + 1} (${type}): model ${want}, runtime ${got}`);
        return;
      }
      this.observed += 1;
      this.wake();
      const following = this.steps[this.observed + 1];
      if (following && isImmediate(following)) this.performImmediate(following);
      return;
    }
    const current = this.steps[this.observed]?.after.value as string | undefined;
    // An event this state ignores changes nothing (e.g. the start-up CLI look during a recovery).
    if (current !== undefined && !handles(current, type)) return;
    this.fail(`unexpected ${type} in ${current}; the model expected ${expected?.type ?? 'nothing more'}`);
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    this.wake();
  }

  private async waitObserved(index: number): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (this.observed < index) {
      if (this.failure) throw this.failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const next = this.steps[this.observed + 1];
        throw new Error(
          `step ${this.observed + 1} (${next?.type}(${next?.fixture})) did not happen; runtime is ${this.auth?.getSnapshot().state}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.failure) throw this.failure;
  }

  // ── performing steps ───────────────────────────────────────────────────────────────────

  private performImmediate(step: ModelStep): void {
    if (step.type === 'AUTH_REJECTED') this.auth?.reportAuthFailure(REJECTION);
    else this.fail(`cannot send ${step.type} during a recovery`);
  }

  private async perform(step: ModelStep): Promise<void> {
    const auth = this.auth as AuthRecovery;
    switch (step.type) {
      case 'TOKEN_EXPIRED':
        this.calls.push(auth.refresh().catch((error: unknown) => error));
        return;
      case 'SYNC_REQUESTED':
        this.calls.push(auth.sync().catch((error: unknown) => error));
        return;
      case 'CREDENTIALS_CHANGED':
        if (!nextOutcome(this.steps, this.steps.indexOf(step))) await this.writeCli(this.freshLogin(null));
        this.signals += 1;
        await writeFile(this.signalPath, String(this.signals));
        return;
      case 'AUTH_REJECTED':
        if (step.before?.value === 'valid') return this.rejectedCall();
        auth.reportAuthFailure(REJECTION);
        return;
      case 'TOKEN_ACCEPTED':
        // A call that succeeds with the token a recovery just brought: withAuth reports it once.
        this.calls.push(auth.withAuth((token) => this.fx.callApi(token)).catch((error: unknown) => error));
        return;
    }
    if (kindOf(step) === 'timer') {
      this.fx.clock.fireNextTimer();
      return;
    }
    throw new Error(`no realization for ${step.type}`);
  }

  /** A real call with the current token, which the fake API refuses because it was revoked. */
  private async rejectedCall(): Promise<void> {
    const auth = this.auth as AuthRecovery;
    const token = await auth.getAccessToken();
    this.fx.fake.revoke(token);
    let attempts = 0;
    const call = auth.withAuth(async (accessToken) => {
      attempts += 1;
      if (attempts > 1 && this.retryHook) {
        const hook = this.retryHook;
        this.retryHook = undefined;
        await hook();
      }
      return this.fx.callApi(accessToken);
    });
    this.calls.push(call.catch((error: unknown) => error));
  }

  // ── preparing the world for autonomous steps ───────────────────────────────────────────

  private async applyDeferredCli(): Promise<void> {
    const deferred = this.deferredCli;
    if (!deferred || this.fx.fake.tokenRequests < deferred.afterTokenRequests) return;
    if (deferred.skipReads > 0) {
      deferred.skipReads -= 1;
      return;
    }
    this.deferredCli = undefined;
    await deferred.apply();
  }

  /** Prepares every actor outcome from `from` up to the next step the replay performs itself. */
  private async prepareRun(from: number): Promise<void> {
    this.previousPrepared = undefined;
    for (let index = from; index < this.steps.length; index += 1) {
      const step = this.steps[index] as ModelStep;
      const kind = kindOf(step);
      if (kind === 'timer' || (kind === 'send' && !isImmediate(step))) return;
      if (kind !== 'actor') continue;
      const afterRefresh =
        this.previousPrepared?.type.endsWith('refreshToken') && step.type.endsWith('syncFromCli');
      if (afterRefresh) {
        this.deferredCli = {
          afterTokenRequests: this.expectedTokenRequests,
          skipReads: this.previousRequests ? 0 : 1,
          apply: () => this.prepareOutcome(index),
        };
      } else {
        const requests = this.expectedTokenRequests;
        await this.prepareOutcome(index);
        this.previousRequests = this.expectedTokenRequests > requests;
      }
      this.previousPrepared = step;
      if (step.fixture === 'callsRejectedAgain') {
        // The CLI is read again right after the retry: prepare that from inside the retried call.
        this.retryHook = () => this.prepareRun(index + 1);
        return;
      }
    }
  }

  private async stored(): Promise<OAuthCredential> {
    const credential = await this.store.readCredential(PROFILE_ID);
    if (!credential) throw new Error('the store lost its credential');
    return credential;
  }

  /** The fake would rotate this refresh token, and the runtime has not seen it refused. */
  private isLive(refreshToken: string): boolean {
    return this.fx.fake.tokenState(refreshToken) === 'valid' && !this.refused.has(refreshToken);
  }

  /** A new login from the fake, expiring after `floor` (so it is fresher than what is stored). */
  private freshLogin(floor: number | null): IssuedLogin {
    const login = this.fx.fake.issueLogin();
    return { ...login, expiresAt: Math.max(login.expiresAt, floor ?? 0) + 120_000 };
  }

  private async writeCli(content: IssuedLogin | 'blank' | 'malformed'): Promise<void> {
    if (content !== 'malformed') return this.fx.writeCliLogin(content);
    const temp = `${this.fx.cliPath}.tmp-malformed`;
    await writeFile(temp, '{"claudeAiOauth": {"accessToken": ', { mode: 0o600 });
    await rename(temp, this.fx.cliPath);
  }

  /** Was the sync that `index` ends started by the watcher (so the CLI file must look changed)? */
  private syncStartedByWatcher(index: number): boolean {
    for (let j = index - 1; j >= 0; j -= 1) {
      const step = this.steps[j] as ModelStep;
      if (!isImmediate(step)) return step.type === 'CREDENTIALS_CHANGED';
    }
    return false;
  }

  /**
   * Nothing fresher: a blank file, or (when the watcher must notice a change) an expired login
   * holding the stored refresh token, so it is no other login to refresh either.
   */
  private async writeNothingFresher(index: number): Promise<void> {
    if (!this.syncStartedByWatcher(index)) return this.writeCli('blank');
    const login = this.fx.fake.issueLogin();
    const { refreshToken } = await this.stored();
    return this.writeCli({ ...login, refreshToken, expiresAt: this.fx.clock.now() - 1_000 });
  }

  private async prepareOutcome(index: number): Promise<void> {
    const step = this.steps[index] as ModelStep;
    const { fake } = this.fx;
    switch (step.fixture) {
      case 'refreshed': {
        const stored = await this.stored();
        if (this.isLive(stored.refreshToken)) {
          this.expectedTokenRequests += 1;
        } else {
          // Our refresh token is dead: another process refreshed first; the refresh adopts its token.
          const login = this.freshLogin(stored.expiresAt);
          await this.store.updateCredential(PROFILE_ID, () => ({ write: login, result: null }));
        }
        return;
      }
      case 'invalidGrant': {
        // Refused, not rotated: a rotation elsewhere would also revoke the access token, which
        // the model keeps serving (a later TOKEN_ACCEPTED proves it with a real call).
        // Once refused, the runtime refuses it itself (DeadRefreshTokens): no request at all.
        const stored = await this.stored();
        if (this.refused.has(stored.refreshToken)) return;
        if (this.isLive(stored.refreshToken)) {
          fake.failNext(1, INVALID_GRANT);
          this.refused.add(stored.refreshToken);
        }
        this.expectedTokenRequests += 1;
        return;
      }
      case 'serverError':
        fake.failNext(1, { status: 503 });
        this.expectedTokenRequests += 1;
        return;
      case 'cliFresher': {
        if (!adoptsCliLogin(step)) return this.writeNothingFresher(index);
        const login = this.freshLogin((await this.stored()).expiresAt);
        const retry = nextOutcome(this.steps, index);
        if (retry?.fixture === 'callsRejectedAgain') fake.revoke(login.accessToken);
        return this.writeCli(login);
      }
      case 'cliNotFresher':
        return this.writeNothingFresher(index);
      case 'cliUnreadable':
        return this.writeCli('malformed');
      case 'callsSucceeded':
      case 'callsRejectedAgain':
        return; // decided by the login the sync adopted (revoked or not)
    }
    throw new Error(`no realization for ${step.type}(${step.fixture})`);
  }
}
