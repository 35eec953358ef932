/**
 * A stand-in for the Claude Code CLI (2.1.x) refreshing its login, written independently of
 * src/ from the protocol in issue 10 (and credentials/claude-code-protocol.ts), with
 * proper-lockfile as the CLI uses it. One run = one refresh attempt, like `claude -p` at start:
 *
 * 1. Read `D/.credentials.json`; nothing to do unless `expiresAt` is within 5 min.
 * 2. Up to 5 tries: take `D/.oauth_refresh.lock` (stale 60 s, update 5 s, realpath false), then
 *    `<realpath(D)>.lock`; when held, sleep 1-2 s and re-read first: a changed access token or
 *    one no longer within 5 min of expiry is adopted, with no request.
 * 3. Under the locks: write the owner record, re-read (adopt as above), then POST JSON
 *    `{grant_type, refresh_token, client_id, scope}`.
 * 4. 200: save under `D/.storage-write.lock` (stale 15 s) with the compare-and-swap (only over
 *    `""` or the token sent), only when `scope` includes `user:inference`.
 *    400 invalid_grant: re-read; adopt a new pair; blank the file only if it still holds the
 *    dead token.
 *
 * Waits for `go` on IPC before step 1 (so the parent can start both sides at one moment), then
 * reports `locked` when it holds the refresh locks and `{outcome, ownerRecords}` at the end. Never prints a token.
 * Usage: claude-code-stand-in.ts <D> <tokenUrl> <clientId>
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';

export type StandInOutcome =
  | 'not_needed'
  | 'adopted'
  | 'refreshed'
  | 'invalid_grant'
  | 'blanked'
  | 'lock_busy';
export interface StandInReport {
  type: 'report';
  outcome: StandInOutcome;
  /** Owner records seen while the lock was held by someone else: valid shape, or why not. */
  ownerRecords: Array<'valid' | 'absent' | string>;
  tokenRequests: number;
}

const [dir, tokenUrl, clientId] = process.argv.slice(2) as [string, string, string];
const file = path.join(dir, '.credentials.json');
const WINDOW_MS = 300_000;

// biome-ignore lint/suspicious/noExplicitAny: the stand-in reads the CLI document loosely, as the CLI does.
type Doc = Record<string, any>;

async function readDoc(): Promise<Doc> {
  return JSON.parse(await readFile(file, 'utf8')) as Doc;
}

async function writeDoc(doc: Doc): Promise<void> {
  const temp = `${file}.tmp.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, JSON.stringify(doc, null, 2), { mode: 0o600 });
  await rename(temp, file);
}

const within = (expiresAt: unknown): boolean =>
  typeof expiresAt === 'number' && Date.now() + WINDOW_MS >= expiresAt;

async function ownerRecord(): Promise<'valid' | 'absent' | string> {
  try {
    const record = JSON.parse(await readFile(path.join(dir, '.oauth_refresh.lock.owner'), 'utf8'));
    const ok =
      Number.isInteger(record.pid) &&
      typeof record.pidDomain === 'string' &&
      typeof record.pidSpace === 'string' &&
      typeof record.lockBirthtimeMs === 'number' &&
      record.lockBirthtimeMs > 0 &&
      (record.procStart === undefined || typeof record.procStart === 'string');
    return ok ? 'valid' : `invalid ${JSON.stringify(Object.keys(record))}`;
  } catch (error) {
    return (error as { code?: string }).code === 'ENOENT' ? 'absent' : 'unreadable';
  }
}

async function lockBoth(): Promise<() => Promise<void>> {
  const params = { realpath: false, stale: 60_000, update: 5_000, retries: 0 };
  const current = await lockfile.lock(dir, {
    ...params,
    lockfilePath: path.join(dir, '.oauth_refresh.lock'),
  });
  const legacyPath = `${await realpath(dir)}.lock`;
  let legacy: (() => Promise<void>) | null = null;
  try {
    legacy = await lockfile.lock(legacyPath, { ...params, lockfilePath: legacyPath });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') {
      await current();
      throw error;
    }
  }
  const lockStat = await stat(path.join(dir, '.oauth_refresh.lock'));
  const owner = path.join(dir, '.oauth_refresh.lock.owner');
  const record = {
    pid: process.pid,
    pidDomain: 'stand-in',
    pidSpace: 'stand-in',
    lockBirthtimeMs: lockStat.birthtimeMs || 1,
  };
  await writeFile(`${owner}.tmp`, JSON.stringify(record));
  await rename(`${owner}.tmp`, owner);
  return async () => {
    await rm(owner, { force: true });
    await legacy?.();
    await current();
  };
}

async function withStorageWriteLock<T>(fn: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(path.join(dir, '.storage-write'), {
    realpath: false,
    stale: 15_000,
    retries: { retries: 10, minTimeout: 100, maxTimeout: 1000 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function refreshOnce(ownerRecords: StandInReport['ownerRecords']): Promise<[StandInOutcome, number]> {
  const start = (await readDoc()).claudeAiOauth ?? {};
  if (!within(start.expiresAt)) return ['not_needed', 0];
  const entryAccess = start.accessToken;
  mkdirSync(dir, { recursive: true });
  let release: (() => Promise<void>) | undefined;
  for (let attempt = 1; !release; attempt += 1) {
    try {
      release = await lockBoth();
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED') throw error;
      ownerRecords.push(await ownerRecord());
      if (attempt >= 5) return ['lock_busy', 0];
      await sleep(1_000 + Math.random() * 1_000);
      const now = (await readDoc()).claudeAiOauth ?? {};
      if (now.accessToken !== entryAccess) return ['adopted', 0];
      if (!within(now.expiresAt)) return ['not_needed', 0];
    }
  }
  process.send?.({ type: 'locked' });
  try {
    const locked = (await readDoc()).claudeAiOauth ?? {};
    if (locked.accessToken !== entryAccess) return ['adopted', 0];
    if (!within(locked.expiresAt)) return ['not_needed', 0];
    const sent = locked.refreshToken as string;
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: sent,
        client_id: clientId,
        scope: (locked.scopes ?? ['user:inference']).join(' '),
      }),
    });
    const body = (await response.json()) as Doc;
    if (response.status === 200) {
      const scopes = String(body.scope ?? '')
        .split(' ')
        .filter(Boolean);
      if (!scopes.includes('user:inference')) return ['refreshed', 1];
      await withStorageWriteLock(async () => {
        const doc = await readDoc();
        const stored = doc.claudeAiOauth?.refreshToken;
        if (!doc.claudeAiOauth || (stored !== '' && stored !== sent)) return; // keep the newer pair
        doc.claudeAiOauth = {
          ...doc.claudeAiOauth,
          accessToken: body.access_token,
          refreshToken: body.refresh_token ?? sent,
          expiresAt: Date.now() + body.expires_in * 1000,
          scopes,
        };
        await writeDoc(doc);
      });
      return ['refreshed', 1];
    }
    if (body.error === 'invalid_grant') {
      const again = (await readDoc()).claudeAiOauth ?? {};
      if (again.accessToken !== entryAccess) return ['adopted', 1];
      const blanked = await withStorageWriteLock(async () => {
        const doc = await readDoc();
        if (doc.claudeAiOauth?.refreshToken !== sent) return false;
        doc.claudeAiOauth = { ...doc.claudeAiOauth, accessToken: '', refreshToken: '', expiresAt: 0 };
        await writeDoc(doc);
        return true;
      });
      return [blanked ? 'blanked' : 'invalid_grant', 1];
    }
    throw new Error(`token endpoint answered ${response.status}`);
  } finally {
    await release();
  }
}

process.once('message', () => {
  const ownerRecords: StandInReport['ownerRecords'] = [];
  refreshOnce(ownerRecords).then(
    ([outcome, tokenRequests]) => {
      process.send?.({ type: 'report', outcome, ownerRecords, tokenRequests } satisfies StandInReport);
      process.disconnect();
    },
    (error: unknown) => {
      process.send?.({ type: 'error', message: String((error as Error)?.message) });
      process.disconnect();
    },
  );
});
process.send?.({ type: 'ready' });
