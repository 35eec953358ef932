/**
 * One agent process for the multi-process benchmark: a runtime on the shared store and CLI
 * dir, with a clock the parent sets. On each `{ type: 'round', now }` message it moves its
 * clock past the token's expiry and makes one API call through withAuth(), then reports
 * whether the caller saw an error. Only the first process to take the store lock may spend
 * the refresh token; the others must adopt its result.
 * Usage (IPC channel required): rotation-worker.ts <store> <claudeDir> <tokenUrl> <apiUrl> <now>
 */
import { createAuthRecovery } from '../../src/runtime/create-auth-recovery.js';

const [storePath, claudeDir, tokenUrl, apiUrl, nowText] = process.argv.slice(2);
if (!storePath || !claudeDir || !tokenUrl || !apiUrl || !nowText || !process.send) {
  throw new Error('usage: rotation-worker.ts <store> <claudeDir> <tokenUrl> <apiUrl> <now> (with IPC)');
}
const send = process.send.bind(process);
let now = Number(nowText);

const auth = createAuthRecovery({
  store: storePath,
  claudeConfigDir: claudeDir,
  tokenUrl,
  now: () => now,
  watchCli: false,
});

async function callApi(token: string): Promise<void> {
  const response = await fetch(apiUrl as string, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{"model":"claude","messages":[]}',
  });
  if (!response.ok) {
    throw Object.assign(new Error(`API ${response.status}`), {
      status: response.status,
      error: await response.json(),
    });
  }
}

process.on('message', (message: { type: 'round'; round: number; now: number } | { type: 'stop' }) => {
  if (message.type === 'stop') {
    void auth.stop().then(() => process.disconnect());
    return;
  }
  now = message.now;
  auth.withAuth(callApi).then(
    () => send({ type: 'done', round: message.round, error: null }),
    (error: unknown) =>
      send({
        type: 'done',
        round: message.round,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});

await auth.start();
send({ type: 'ready' });
