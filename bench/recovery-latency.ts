/**
 * Recovery latency: our refresh token was spent by the Claude CLI behind our back, so the
 * refresh gets `invalid_grant`; the runtime syncs the CLI's fresher pair and is valid again.
 * Timed from refresh() to its resolution with a valid token, on loopback, with no backoff in
 * the path (invalid_grant is permanent and goes straight to the sync).
 *
 * The recovery ends in one durable store write (temp file, fsync, rename, fsync of the dir), so
 * the same run also times that write alone on the same disk, and the whole recovery again
 * with the files on tmpfs, where fsync is free: the difference is the disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../src/fs/atomic-write.js';
import { createRuntimeFixture } from '../test/support/runtime-fixture.js';
import { type BenchSection, formatNumber, percentile, sortedCopy } from './support/report.js';

const ITERATIONS = 200;
const WARMUP = 20;
const TARGET_MEDIAN_MS = 5;
const TMPFS = '/dev/shm';

interface Run {
  samples: number[];
  tokenRequests: number;
}

/** Runs the recovery `ITERATIONS` times with the fixture's temp dir under `tmpDir`. */
async function measureRecovery(tmpDir: string | undefined): Promise<Run> {
  const previous = process.env.TMPDIR;
  if (tmpDir) process.env.TMPDIR = tmpDir;
  const fx = await createRuntimeFixture();
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  const samples: number[] = [];
  let tokenRequests = 0;
  try {
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const l1 = fx.fake.issueLogin();
      await fx.writeStoreLogin(l1);
      await fx.writeCliLogin(l1);
      const auth = fx.create({ watchCli: false });
      await auth.start();
      fx.clock.jump(60_000); // a minute later the CLI refreshes behind our back: our pair is dead
      const l2 = fx.fake.rotate(l1.refreshToken);
      await fx.writeCliLogin(l2);
      fx.fake.resetCounters();
      const t0 = performance.now();
      const token = await auth.refresh();
      const elapsed = performance.now() - t0;
      if (token !== l2.accessToken) throw new Error('recovery did not adopt the CLI pair');
      await auth.stop();
      if (i >= WARMUP) {
        samples.push(elapsed);
        tokenRequests += fx.fake.tokenRequests;
      }
    }
  } finally {
    await fx.cleanup();
  }
  return { samples: sortedCopy(samples), tokenRequests };
}

/** One durable atomic write of a store-sized file, `ITERATIONS` times, on the default temp dir. */
async function measureAtomicWrite(): Promise<number[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-bench-'));
  const file = path.join(dir, 'auth-profiles.json');
  const text = JSON.stringify({ version: 1, profiles: { a: { access: 'x'.repeat(120) } } }, null, 2);
  const samples: number[] = [];
  try {
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const t0 = performance.now();
      await writeFileAtomic(file, text);
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return sortedCopy(samples);
}

function row(label: string, sorted: readonly number[], tokenRequests?: number): string[] {
  return [
    label,
    formatNumber(percentile(sorted, 50), 2),
    formatNumber(percentile(sorted, 90), 2),
    formatNumber(percentile(sorted, 99), 2),
    formatNumber(sorted[0] ?? 0, 2),
    tokenRequests === undefined ? '—' : formatNumber(tokenRequests / ITERATIONS, 2),
  ];
}

export async function benchRecoveryLatency(): Promise<BenchSection> {
  const started = performance.now();
  const disk = await measureRecovery(undefined);
  const write = await measureAtomicWrite();
  const tmpfs = await measureRecovery(TMPFS);
  const median = percentile(disk.samples, 50);
  const p90 = percentile(disk.samples, 90);
  const writeMedian = percentile(write, 50);
  const tmpfsMedian = percentile(tmpfs.samples, 50);
  const met = median < TARGET_MEDIAN_MS;
  return {
    title: 'Recovery latency: invalid_grant → CLI sync → ok',
    method: `${ITERATIONS} iterations after ${WARMUP} warm-up, each a new runtime whose stored pair the CLI has just rotated (so the stored refresh token is dead and the CLI file holds a fresher pair), against the loopback fake. Timed from refresh() to the valid token. What the runtime does (traced with strace on 2026-11-30): it takes Claude Code's refresh locks (\`.oauth_refresh.lock\`, the legacy \`<dir>.lock\`) and writes their owner record, re-reads the CLI file under them as Claude Code's protocol asks, finds the CLI's fresher pair and adopts it with no token request (the last column: the dead refresh token is never sent, so no invalid_grant is even needed), then re-reads and writes the store durably under the store lock and releases the locks. That is two durable atomic writes (temp file, fsync, rename, fsync of the directory: the owner record and the store), three lock directories and some 80 stat/readlink calls (symlink checks and realpath) through libuv's thread pool. Run on the default temp dir (${os.tmpdir()}, the disk the agent would use), then with the files on tmpfs (${TMPFS}); the durable atomic write alone is timed on the default temp dir in the same run.`,
    table: [
      ['Measurement', 'median (ms)', 'p90 (ms)', 'p99 (ms)', 'min (ms)', 'token requests / iteration'],
      row(`recovery, files on ${os.tmpdir()}`, disk.samples, disk.tokenRequests),
      row(`one durable atomic write on ${os.tmpdir()} (floor)`, write),
      row(`recovery, files on tmpfs (${TMPFS})`, tmpfs.samples, tmpfs.tokenRequests),
    ],
    targets: [
      {
        metric: 'recovery median (p90 reported), loopback, on disk',
        target: `< ${TARGET_MEDIAN_MS} ms`,
        measured: `${formatNumber(median, 2)} ms (p90 ${formatNumber(p90, 2)} ms)`,
        met,
        ...(met
          ? {}
          : {
              note: `${formatNumber(median - TARGET_MEDIAN_MS, 2)} ms over (${formatNumber(median / TARGET_MEDIAN_MS, 1)}×). The recovery must end in a durable store write, and one durable atomic write (fsync of the file and of its directory) alone has a median of ${formatNumber(writeMedian, 2)} ms on this disk in this run. With the same files on tmpfs (fsync free) the whole recovery has a median of ${formatNumber(tmpfsMedian, 2)} ms (p90 ${formatNumber(percentile(tmpfs.samples, 90), 2)} ms)${tmpfsMedian < TARGET_MEDIAN_MS ? ': the code path meets the target, the disk’s fsync does not' : ': even without fsync the path (three lock directories, the file-system checks, two store reads, a CLI read, two writes and the machine transitions, each file operation a round trip through the thread pool) is over the target on this shared 2-core VM, where every such round trip waits for a core'}. Not traded for the target: the store's fsyncs (a rotated or adopted pair is durable before anything else, issue 9). One candidate left to the owners of the lock protocol: the owner record of Claude Code's refresh lock is lock metadata (lost in a crash, the lock just goes stale after 60 s), so its two fsyncs protect no credential; it is still written with the same durable atomic write as everything else.`,
            }),
      },
      {
        metric: 'recovery median on tmpfs (fsync free)',
        target: `< ${TARGET_MEDIAN_MS} ms`,
        measured: `${formatNumber(tmpfsMedian, 2)} ms (p90 ${formatNumber(percentile(tmpfs.samples, 90), 2)} ms)`,
        met: tmpfsMedian < TARGET_MEDIAN_MS,
      },
    ],
    durationMs: performance.now() - started,
  };
}
