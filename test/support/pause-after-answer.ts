/**
 * A test-only preload (`node --import <bundle of this file>`, bundled by bundle-worker.ts) that
 * freezes the process at a chosen point between the token endpoint's 200 answer and the durable
 * save of the rotated pair, so a test can SIGKILL it exactly there. Nothing of this ships: the
 * product has no pause hook; this file wraps `globalThis.fetch` and `node:fs/promises` (`open`,
 * `rename`) from outside and re-syncs the ES module bindings (`syncBuiltinESMExports`).
 *
 * Environment:
 * - `PAUSE_TOKEN_URL`: the token endpoint; only its 200 answers arm the hook.
 * - `PAUSE_STORE`: the store file (its real path) whose save is watched.
 * - `PAUSE_AT`: where to freeze after the answer arrived:
 *   `answer` (the 200 is in: the fetch promise resolved), `open` (the first file opened for
 *   writing after the answer, expected to be the store's temp file), `rename` (the temp file is
 *   written and fsynced, the rename over the store is next), `renamed` (right after that
 *   rename); `measure` freezes nowhere and reports the window's parts instead.
 *
 * It reports on stderr, in one synchronous write each: `pause-after-answer: paused at <point>
 * <path>` before freezing, and in `measure` mode `pause-after-answer: window <json>` with the
 * times in ms from the answer to the save's open, to the rename and to the directory fsync.
 */
import { realpathSync, writeSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const tokenUrl = process.env.PAUSE_TOKEN_URL;
/** The store's real path (the atomic write resolves symlinks, e.g. a symlinked temp dir). */
function realStorePath(file: string): string {
  try {
    return path.join(realpathSync(path.dirname(file)), path.basename(file));
  } catch {
    return path.resolve(file);
  }
}
const store = process.env.PAUSE_STORE ? realStorePath(process.env.PAUSE_STORE) : undefined;
const pauseAt = process.env.PAUSE_AT;

/** When the 200 arrived (performance.now() ms), undefined before. */
let answeredAt: number | undefined;
const marks: Record<string, number> = {};

function report(line: string): void {
  writeSync(2, `pause-after-answer: ${line}\n`);
}

/** Freezes this thread for good: nothing after this point runs until the SIGKILL. */
function freeze(point: string, detail: string): void {
  report(`paused at ${point} ${detail}`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

function mark(name: string): void {
  if (answeredAt === undefined || marks[name] !== undefined) return;
  marks[name] = performance.now() - answeredAt;
  if (name === 'dirSynced') report(`window ${JSON.stringify(marks)}`);
}

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (tokenUrl !== undefined && url === tokenUrl && response.status === 200 && answeredAt === undefined) {
    answeredAt = performance.now();
    if (pauseAt === 'answer') freeze('answer', url);
  }
  return response;
};

const realOpen = fsp.open;
let renamedOver = false;
fsp.open = (async (file: Parameters<typeof realOpen>[0], flags?: string | number, mode?: number) => {
  const name = String(file);
  const writing = typeof flags === 'string' && /[wax+]/.test(flags);
  if (answeredAt !== undefined && writing && marks.open === undefined) {
    mark('open');
    if (pauseAt === 'open') freeze('open', name);
  }
  const handle = await realOpen(file, flags, mode);
  // The directory fsync that makes the rename durable (writeFileAtomic's last step).
  if (renamedOver && store !== undefined && name === path.dirname(store) && flags === 'r') {
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      await sync();
      mark('dirSynced');
    };
  }
  return handle;
}) as typeof realOpen;

const realRename = fsp.rename;
fsp.rename = async (from, to) => {
  const over = answeredAt !== undefined && store !== undefined && path.resolve(String(to)) === store;
  if (over && pauseAt === 'rename') freeze('rename', String(from));
  await realRename(from, to);
  if (over && !renamedOver) {
    renamedOver = true;
    mark('renamed');
    if (pauseAt === 'renamed') freeze('renamed', String(to));
  }
};

syncBuiltinESMExports();
