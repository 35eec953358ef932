/**
 * One agent process of the multi-process rotation test: a real `createAuthRecovery` on the
 * shared store (real clock, no CLI), driven round by round by the parent over IPC.
 *
 * Parent → child: `{ type: 'call', round }` makes one `withAuth` call against the fake API;
 * `{ type: 'stop' }` stops the runtime and reports its counters.
 * Child → parent: `ready`, `done` (per round: ok or a secret-free error), `stats`.
 * Usage: rotation-agent.ts <store> <tokenUrl> <apiUrl> <agentId>
 */
import { createHash } from 'node:crypto';
import { createAuthRecovery } from '../../../src/runtime/index.js';
import { createFileProfileStore } from '../../../src/store/file-profile-store.js';

export type ParentMessage = { type: 'call'; round: number } | { type: 'stop' };
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
  | { type: 'fatal'; agent: string; error: string };

const [storePath, tokenUrl, apiUrl, agent = '?'] = process.argv.slice(2);
if (!storePath || !tokenUrl || !apiUrl)
  throw new Error('usage: rotation-agent.ts <store> <tokenUrl> <apiUrl> <id>');

const send = (message: AgentMessage): void => {
  process.send?.(message);
};
const hash = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 12);

const auth = createAuthRecovery({
  // The real file store, polling its lock briskly: eight processes queue on it every round.
  store: createFileProfileStore({ path: storePath, lockOptions: { retryDelayMs: { min: 1, max: 10 } } }),
  tokenUrl,
  cliSource: false,
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

process.on('message', (message: ParentMessage) => {
  if (message.type === 'call') void round(message.round);
  if (message.type === 'stop') {
    void auth.stop().then(() => {
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
