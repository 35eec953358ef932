/**
 * One agent process of the multi-process rotation test: a real `createAuthRecovery` on the
 * shared store (real clock, no CLI), driven round by round by the parent over IPC.
 *
 * Parent → child: `{ type: 'call', round }` makes one `withAuth` call against the fake API;
 * `{ type: 'stop' }` stops the runtime and reports its counters.
 * Child → parent: `ready`, `done` (per round: ok or a secret-free error), `stats`.
 * Usage: rotation-agent.ts <store> <tokenUrl> <apiUrl> <agentId> [mirrorPath]
 *
 * `<store>` is a file path, or a `redis://` URL (then `mirrorPath` is this host's local mirror,
 * the key comes from `OAUTH_RECOVERY_REDIS_KEY`, and `AGENT_LEASE_TTL_MS` sets the lease).
 * `AGENT_CRASH_AFTER_TOKEN=1` makes the agent SIGKILL itself between the token answer and
 * the commit (a host dying mid-refresh). `AGENT_COOLDOWN_BASE_MS` shortens the first cooldown
 * (fault tests that wait for a host to come back). `AGENT_WAIT_REPLICAS=<n>:<ms>` turns on
 * `WAIT` after each commit; `AGENT_NO_MIRROR=1` runs without a local mirror. Store warnings go
 * to the parent as `warning` messages.
 */
import { createHash } from 'node:crypto';
import { createAuthRecovery } from '../../../src/runtime/index.js';
import { createFileProfileStore } from '../../../src/store/file-profile-store.js';
import { createRedisProfileStore, type RedisProfileStore } from '../../../src/store/redis/index.js';
import type { ProfileStore } from '../../../src/store/types.js';

export type ParentMessage = { type: 'call'; round: number } | { type: 'stop' } | { type: 'await-valid' };
export type AgentMessage =
  | { type: 'ready'; agent: string; pid: number }
  | {
      type: 'done';
      agent: string;
      round: number;
      ok: boolean;
      /** Tokens handed to the call, as short hashes: the first try and, after a rejection, the retry. */
      tokens: string[];
      error?: string;
    }
  | { type: 'stats'; agent: string; tokenRequests: number; state: string }
  /** A Redis store warning (e.g. `replicasBehind`, `healedFromMirror`); details carry no token. */
  | { type: 'warning'; agent: string; event: string; details: Record<string, unknown> }
  /** Answers `await-valid` once the runtime is `valid` (e.g. its cooldown ended and it adopted). */
  | { type: 'valid'; agent: string; tokenRequests: number }
  | { type: 'fatal'; agent: string; error: string };

const [storePath, tokenUrl, apiUrl, agent = '?', mirrorPath] = process.argv.slice(2);
if (!storePath || !tokenUrl || !apiUrl)
  throw new Error('usage: rotation-agent.ts <store> <tokenUrl> <apiUrl> <id>');

const send = (message: AgentMessage): void => {
  if (process.connected) process.send?.(message);
};
/** `AGENT_WAIT_REPLICAS=<replicas>:<timeoutMs>` → the store's `waitForReplicas`. */
function parseWait(value: string): { replicas: number; timeoutMs: number } {
  const [replicas, timeoutMs] = value.split(':').map(Number);
  return { replicas: replicas ?? 1, timeoutMs: timeoutMs ?? 1_000 };
}
const hash = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 12);

const redis: RedisProfileStore | undefined = storePath.startsWith('redis')
  ? createRedisProfileStore({
      url: storePath,
      mirrorPath: process.env.AGENT_NO_MIRROR === '1' ? false : (mirrorPath ?? false),
      lease: { ttlMs: Number(process.env.AGENT_LEASE_TTL_MS ?? 30_000), retryDelayMs: { min: 1, max: 10 } },
      operationTimeoutMs: Number(process.env.AGENT_OPERATION_TIMEOUT_MS ?? 10_000),
      ...(process.env.AGENT_WAIT_REPLICAS
        ? { waitForReplicas: parseWait(process.env.AGENT_WAIT_REPLICAS) }
        : {}),
      onWarning: (event, details) => send({ type: 'warning', agent, event, details }),
    })
  : undefined;
// The real file store, polling its lock briskly: eight processes queue on it every round.
const base: ProfileStore =
  redis ?? createFileProfileStore({ path: storePath, lockOptions: { retryDelayMs: { min: 1, max: 10 } } });

/** The store, or (AGENT_CRASH_AFTER_TOKEN) one that dies after the token answer, before the commit. */
const store: ProfileStore =
  process.env.AGENT_CRASH_AFTER_TOKEN === '1'
    ? {
        ...base,
        location: base.location,
        beforeSpend: base.beforeSpend?.bind(base),
        updateCredential: (profileId, fn) =>
          base.updateCredential(profileId, async (current) => {
            const update = await fn(current);
            if (update.replacesSpent) process.kill(process.pid, 'SIGKILL');
            return update;
          }),
      }
    : base;

const auth = createAuthRecovery({
  store,
  tokenUrl,
  cliSource: false,
  // The parent forces a rotation every round, milliseconds apart, on the real clock: the
  // minimum interval between token requests (10 s by default) is not what this test measures.
  policy: {
    minRefreshIntervalMs: 1,
    ...(process.env.AGENT_COOLDOWN_BASE_MS
      ? { cooldownBaseMs: Number(process.env.AGENT_COOLDOWN_BASE_MS) }
      : {}),
  },
});

async function callApi(token: string): Promise<unknown> {
  const response = await fetch(apiUrl as string, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude', messages: [] }),
  });
  const body: unknown = await response.json();
  if (response.ok) return body;
  throw Object.assign(new Error(`API ${response.status}`), { status: response.status, error: body });
}

async function round(round: number): Promise<void> {
  const tokens: string[] = [];
  try {
    await auth.withAuth(async (token) => {
      tokens.push(hash(token));
      return callApi(token);
    });
    send({ type: 'done', agent, round, ok: true, tokens });
  } catch (error) {
    const { name, message } = error as Error;
    send({ type: 'done', agent, round, ok: false, tokens, error: `${name}: ${message}` });
  }
}

function whenValid(): void {
  const answer = () => send({ type: 'valid', agent, tokenRequests: auth.getSnapshot().tokenRequests });
  if (auth.getSnapshot().state === 'valid') {
    answer();
    return;
  }
  const unsubscribe = auth.subscribe((snapshot) => {
    if (snapshot.state !== 'valid') return;
    unsubscribe();
    answer();
  });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'call') void round(message.round);
  if (message.type === 'await-valid') whenValid();
  if (message.type === 'stop') {
    void auth.stop().then(async () => {
      await redis?.close();
      const snapshot = auth.getSnapshot();
      send({ type: 'stats', agent, tokenRequests: snapshot.tokenRequests, state: snapshot.state });
      process.disconnect();
    });
  }
});

auth.start().then(
  () => send({ type: 'ready', agent, pid: process.pid }),
  (error: unknown) => {
    send({ type: 'fatal', agent, error: String((error as Error)?.message) });
    process.exit(1);
  },
);
