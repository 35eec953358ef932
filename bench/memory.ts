/**
 * Memory: 1,000 profiles in one process, and heap growth over 100,000 refresh cycles. Runs
 * bench/workers/memory-worker.ts in a child `node --expose-gc` so heap figures are after a
 * forced GC and not mixed with the other benchmarks' garbage.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type BenchSection, formatNumber } from './support/report.js';

const PROFILES = 1000;
const CYCLES = 100_000;
const TARGET_MB = 50;
const TARGET_GROWTH = 0.1;
const MB = 1024 * 1024;

interface MemoryFigures {
  profiles: number;
  validCount: number;
  baseline: number;
  withProfiles: number;
  cycles: number;
  firstMark: number;
  atFirstMark: number;
  atEnd: number;
  cycleMs: number;
  tokenRequests: number;
  machineDefinitions: number;
}

function runWorker(): Promise<MemoryFigures> {
  const worker = path.join(import.meta.dirname, 'workers', 'memory-worker.ts');
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', worker, String(PROFILES), String(CYCLES)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`memory worker exited with ${code}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as MemoryFigures);
    });
  });
}

const mb = (bytes: number) => `${formatNumber(bytes / MB, 1)} MB`;

export async function benchMemory(): Promise<BenchSection> {
  const started = performance.now();
  const m = await runWorker();
  const growth = (m.atEnd - m.atFirstMark) / m.atFirstMark;
  const profilesMet = m.withProfiles < TARGET_MB * MB && m.validCount === m.profiles;
  const flatMet = Math.abs(growth) <= TARGET_GROWTH && m.tokenRequests === m.cycles;
  return {
    title: 'Memory: 1,000 profiles; 100,000 refresh cycles',
    method: `A child \`node --expose-gc\` (bench/workers/memory-worker.ts); heap = process.memoryUsage().heapUsed after three forced GCs. Profiles: ${formatNumber(m.profiles)} createAuthRecovery() instances started in one process, each its own profile in one real auth-profiles.json (one shared file store instance), no CLI source. Cycles: one runtime calling refresh() ${formatNumber(m.cycles)} times (valid → expired → refreshing → ok → valid, plus the usage write each time) on an in-memory ProfileStore and an in-memory OAuthClient (bench/support/in-memory.ts), so the figure is the runtime's and the machine's own memory, not disk or socket buffers. The policy allows one token request per \`minRefreshIntervalMs\` (10 s), so the runtime's epoch-ms clock (\`time.now\`) steps 10 s before each cycle instead of the run waiting 100,000 × 10 s.`,
    table: [
      ['Measurement', 'heap used'],
      ['baseline (modules loaded, nothing started)', mb(m.baseline)],
      [`${formatNumber(m.profiles)} runtimes started (${m.validCount} valid)`, mb(m.withProfiles)],
      ['… of which the runtimes', mb(m.withProfiles - m.baseline)],
      [`after ${formatNumber(m.firstMark)} refresh cycles`, mb(m.atFirstMark)],
      [`after ${formatNumber(m.cycles)} refresh cycles`, mb(m.atEnd)],
      [`${formatNumber(m.profiles)} bare machine definitions (attribution)`, mb(m.machineDefinitions)],
      ['growth 10k → 100k', `${formatNumber(growth * 100, 2)} %`],
      ['refresh cycles per second', formatNumber(m.cycles / (m.cycleMs / 1000))],
    ],
    targets: [
      {
        metric: `${formatNumber(m.profiles)} profiles in one process: heap used`,
        target: `< ${TARGET_MB} MB`,
        measured: `${mb(m.withProfiles)} (${mb(m.withProfiles - m.baseline)} above baseline)`,
        met: profilesMet,
        ...(profilesMet
          ? {}
          : {
              note: `${mb(m.withProfiles - TARGET_MB * MB)} over (${formatNumber(m.withProfiles / (TARGET_MB * MB), 2)}×), about ${formatNumber((m.withProfiles - m.baseline) / m.profiles / 1024, 0)} KB per runtime. createAuthRecovery() builds its own machine definition (createRecoveryMachine(...).provide(...)) for every instance, and ${formatNumber(m.profiles)} bare machine definitions alone hold ${mb(m.machineDefinitions)} after GC in the same run. Building the machine once per process (passing now/random and the actors through input or one shared provide) would remove most of that.`,
            }),
      },
      {
        metric: `${formatNumber(m.cycles)} refresh cycles: heap after GC, 10k vs 100k`,
        target: `flat within ${TARGET_GROWTH * 100} %`,
        measured: `${mb(m.atFirstMark)} → ${mb(m.atEnd)} (${formatNumber(growth * 100, 2)} %), ${formatNumber(m.tokenRequests)} token requests`,
        met: flatMet,
      },
    ],
    durationMs: performance.now() - started,
  };
}
