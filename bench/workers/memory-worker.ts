/**
 * Heap figures for the memory benchmark, run in its own process with --expose-gc so nothing
 * else shares the heap. Prints one JSON line.
 *
 * 1. 1,000 runtimes started in one process, each its own profile in one file store
 *    (a real auth-profiles.json holding 1,000 profiles), no CLI source.
 * 2. 100,000 refresh cycles of one runtime on the in-memory store and OAuth client
 *    (bench/support/in-memory.ts), heap measured after GC at 10k and at 100k cycles.
 * 3. For attribution: the heap held by 1,000 bare machine definitions.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRecoveryMachine, DEFAULT_POLICY } from '../../machines/index.js';
import { type AuthRecovery, createAuthRecovery } from '../../src/runtime/index.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import {
  createInMemoryOAuthClient,
  createInMemoryProfileStore,
  longLivedCredential,
} from '../support/in-memory.js';

const PROFILES = Number(process.argv[2] ?? 1000);
const CYCLES = Number(process.argv[3] ?? 100_000);
const FIRST_MARK = CYCLES / 10;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const baseline = heapAfterGc();

// 1. Many profiles in one process.
const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-mem-'));
const storePath = path.join(dir, 'auth-profiles.json');
const profiles: Record<string, unknown> = {};
for (let i = 0; i < PROFILES; i++) {
  const credential = longLivedCredential(String(i));
  profiles[`anthropic:agent-${i}`] = {
    type: 'oauth',
    provider: 'anthropic',
    access: credential.accessToken,
    refresh: credential.refreshToken,
    expires: credential.expiresAt,
  };
}
await writeFile(storePath, JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
const fileStore = createFileProfileStore({ path: storePath });
const oauthClient = createInMemoryOAuthClient();
const instances: AuthRecovery[] = [];
for (let i = 0; i < PROFILES; i++) {
  const auth = createAuthRecovery({
    profileId: `anthropic:agent-${i}`,
    store: fileStore,
    cliSource: false,
    oauthClient,
  });
  await auth.start();
  instances.push(auth);
}
const validCount = instances.filter((auth) => auth.getSnapshot().state === 'valid').length;
const withProfiles = heapAfterGc();
await Promise.all(instances.map((auth) => auth.stop()));
instances.length = 0;
await rm(dir, { recursive: true, force: true });

// 2. Many refresh cycles of one runtime.
// The policy allows one token request per minRefreshIntervalMs (10 s): the epoch-ms clock steps
// that far before each cycle, so the cycles run back to back instead of 100,000 × 10 s.
let skewMs = 0;
const now = (): number => Date.now() + skewMs;
const store = createInMemoryProfileStore();
store.set('anthropic:claude-cli', longLivedCredential('cycles', now));
const cycler = createAuthRecovery({
  store,
  cliSource: false,
  oauthClient: createInMemoryOAuthClient(now),
  time: { now },
});
await cycler.start();
const cycleStart = performance.now();
let atFirstMark = 0;
for (let cycle = 1; cycle <= CYCLES; cycle++) {
  skewMs += DEFAULT_POLICY.minRefreshIntervalMs;
  await cycler.refresh();
  if (cycle === FIRST_MARK) {
    await cycler.whenIdle();
    atFirstMark = heapAfterGc();
  }
}
await cycler.whenIdle();
const atEnd = heapAfterGc();
const cycleMs = performance.now() - cycleStart;
const tokenRequests = cycler.getSnapshot().tokenRequests;
await cycler.stop();

// 3. Attribution: what 1,000 machine definitions alone hold (createAuthRecovery builds one each).
const beforeMachines = heapAfterGc();
const machines = Array.from({ length: PROFILES }, () => createRecoveryMachine({}));
const machineDefinitions = heapAfterGc() - beforeMachines;
if (machines.length !== PROFILES) throw new Error('unreachable');

process.stdout.write(
  `${JSON.stringify({
    profiles: PROFILES,
    validCount,
    baseline,
    withProfiles,
    cycles: CYCLES,
    firstMark: FIRST_MARK,
    atFirstMark,
    atEnd,
    cycleMs,
    tokenRequests,
    machineDefinitions,
  })}\n`,
);
