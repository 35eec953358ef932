/**
 * The SQLite binding for the openclaw sink: Node's built-in `node:sqlite` (`DatabaseSync`),
 * loaded lazily so the package still loads on Node 20.
 *
 * Why `node:sqlite` and not better-sqlite3: it is the binding openclaw itself uses (openclaw
 * 2026.7+ requires Node ≥ 24.16, so every host running it has one), it needs no native build,
 * and a native addon cannot be installed where only the npm registry is reachable
 * (better-sqlite3's prebuilt binaries and node-gyp's headers are downloaded from GitHub and
 * nodejs.org) or where npm's install scripts are not allowed. On a Node without it
 * (Node 20, Node 22 before 22.13) the sink fails with a SinkError naming the Node version.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SinkError } from '../errors.js';

/** The part of `node:sqlite`'s `DatabaseSync` the sink uses. */
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): {
    get(...params: unknown[]): Record<string, unknown> | undefined;
    run(...params: unknown[]): unknown;
  };
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string | URL, options?: { open?: boolean; readOnly?: boolean }) => SqliteDatabase;
}

let cached: NodeSqliteModule | null | undefined;

function loadNodeSqlite(): NodeSqliteModule | null {
  if (cached !== undefined) return cached;
  try {
    // getBuiltinModule (Node ≥ 20.16) loads a builtin without a static import that Node 20 would reject.
    const load = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const loaded = load?.('node:sqlite') as NodeSqliteModule | undefined;
    cached = loaded && typeof loaded.DatabaseSync === 'function' ? loaded : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** True when this Node has `node:sqlite` (Node ≥ 22.13, or 22.5+ with `--experimental-sqlite`). */
export function hasNodeSqlite(): boolean {
  return loadNodeSqlite() !== null;
}

/**
 * Opens an existing database file read-write. Never creates one: it is opened through a
 * `file:` URI with `mode=rw`, which SQLite refuses for a missing file.
 * @throws {SinkError} when `node:sqlite` is missing or the file cannot be opened.
 */
export function openExistingSqlite(sink: string, file: string): SqliteDatabase {
  const sqlite = loadNodeSqlite();
  if (!sqlite) {
    throw new SinkError(sink, `node:sqlite is not available in Node ${process.versions.node}`, {
      hint: 'Run oauth-recovery under Node ≥ 22.13 (openclaw itself needs ≥ 24.16), e.g. the node that runs openclaw.',
    });
  }
  if (!existsSync(file)) {
    throw new SinkError(sink, `${file} does not exist; nothing was created`, {
      hint: 'Start openclaw once (or run `openclaw doctor --fix`) so it creates its database, or check --openclaw-agent / OPENCLAW_STATE_DIR.',
    });
  }
  const uri = pathToFileURL(file);
  uri.search = 'mode=rw';
  try {
    return new sqlite.DatabaseSync(uri);
  } catch (error) {
    throw new SinkError(sink, `cannot open ${file}: ${(error as Error).message}`, { cause: error });
  }
}
