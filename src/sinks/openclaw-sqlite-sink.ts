/**
 * Publishes our access token into openclaw 2026.7+'s SQLite auth store as a `token` profile
 * (default id `anthropic:oauth-recovery`), which openclaw uses as is and never refreshes: we
 * stay the only refresher of the login.
 *
 * Each publish resolves the database the way openclaw does (see openclaw-paths.ts), opens only
 * an existing file, and runs one short `BEGIN IMMEDIATE` transaction with openclaw's
 * `busy_timeout` (5000 ms): read the store row, set our profile, write it back if it changed,
 * and in the state row touch only our own entries. Nothing else in either row changes.
 */
import { SinkError } from '../errors.js';
import { openExistingSqlite, type SqliteDatabase } from './node-sqlite.js';
import {
  parseAuthDocument,
  UnexpectedDocumentError,
  withOurState,
  withTokenProfile,
} from './openclaw-auth-document.js';
import {
  DEFAULT_OPENCLAW_SINK_PROFILE_ID,
  OPENCLAW_AGENT_SCHEMA_VERSION,
  OPENCLAW_BUSY_TIMEOUT_MS,
  OPENCLAW_FACTS_VERSION,
  OPENCLAW_PRIMARY_ROW,
  OPENCLAW_SHARED_LOCATION_KEY,
  OPENCLAW_SHARED_STATE_KEY,
  OPENCLAW_SHARED_STORE_KEY,
  openclawAgentDatabasePath,
  openclawSharedMainDatabasePath,
  openclawStateDatabasePath,
  resolveOpenclawStateDir,
} from './openclaw-paths.js';
import type { PublishedToken, Sink } from './types.js';

/** Options of `createOpenclawSink` (facts from openclaw 2026.9.6). */
export interface OpenclawSinkOptions {
  /** openclaw's state dir. Default `$OPENCLAW_STATE_DIR` or `~/.openclaw`. */
  stateDir?: string;
  /** Write into this agent's own database instead of the shared store every agent inherits. */
  agentId?: string;
  /** Our profile id in openclaw's store. Default `anthropic:oauth-recovery`. */
  profileId?: string;
  /** Put our profile first in the state row's `order.anthropic`. Default false. */
  preferInOrder?: boolean;
  /** How long to wait for openclaw's own write to finish, ms. Default 5000 (openclaw's value). */
  busyTimeoutMs?: number;
  /** Environment read for `OPENCLAW_STATE_DIR`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Home directory for the `~/.openclaw` default. Default `os.homedir()`. */
  homeDir?: string;
}

/** Which database and rows a publish goes to, as openclaw resolves them. */
export interface OpenclawAuthTarget {
  kind: 'agent' | 'shared-state';
  path: string;
}

interface Rows {
  read(db: SqliteDatabase, which: 'store' | 'state'): string | undefined;
  write(db: SqliteDatabase, which: 'store' | 'state', json: string, now: number): void;
}

const AGENT_ROWS: Rows = {
  read(db, which) {
    const sql =
      which === 'store'
        ? 'SELECT store_json AS json FROM auth_profile_store WHERE store_key = ?'
        : 'SELECT state_json AS json FROM auth_profile_state WHERE state_key = ?';
    return db.prepare(sql).get(OPENCLAW_PRIMARY_ROW)?.json as string | undefined;
  },
  write(db, which, json, now) {
    const sql =
      which === 'store'
        ? 'INSERT INTO auth_profile_store (store_key, store_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(store_key) DO UPDATE SET store_json = excluded.store_json, updated_at = excluded.updated_at'
        : 'INSERT INTO auth_profile_state (state_key, state_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(state_key) DO UPDATE SET state_json = excluded.state_json, updated_at = excluded.updated_at';
    db.prepare(sql).run(OPENCLAW_PRIMARY_ROW, json, now);
  },
};

const SHARED_ROWS: Rows = {
  read(db, which) {
    const key = which === 'store' ? OPENCLAW_SHARED_STORE_KEY : OPENCLAW_SHARED_STATE_KEY;
    return db.prepare('SELECT value_json AS json FROM config_machine_state WHERE state_key = ?').get(key)
      ?.json as string | undefined;
  },
  write(db, which, json, now) {
    const key = which === 'store' ? OPENCLAW_SHARED_STORE_KEY : OPENCLAW_SHARED_STATE_KEY;
    db.prepare(
      'INSERT INTO config_machine_state (state_key, value_json, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT(state_key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms',
    ).run(key, json, now);
  },
};

function tableExists(db: SqliteDatabase, table: string): boolean {
  return (
    db.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !==
    undefined
  );
}

/**
 * Where openclaw keeps the shared store: the state database when its `auth.sharedStore` row
 * says `state-db`, else (absent, `legacy-main`, or no state database) the main agent's database.
 * @throws {SinkError} for a location value openclaw itself would refuse.
 */
export function resolveOpenclawAuthTarget(options: OpenclawSinkOptions = {}): OpenclawAuthTarget {
  const pathOptions = { env: options.env, homeDir: options.homeDir };
  const stateDir = options.stateDir ?? resolveOpenclawStateDir(pathOptions);
  if (options.agentId) return { kind: 'agent', path: openclawAgentDatabasePath(stateDir, options.agentId) };
  const stateDb = openclawStateDatabasePath(stateDir);
  let location: unknown;
  try {
    const db = openExistingSqlite(`openclaw:${stateDb}`, stateDb);
    try {
      if (tableExists(db, 'config_machine_state')) {
        const raw = db
          .prepare('SELECT value_json AS json FROM config_machine_state WHERE state_key = ?')
          .get(OPENCLAW_SHARED_LOCATION_KEY)?.json;
        if (typeof raw === 'string') location = JSON.parse(raw);
      }
    } finally {
      db.close();
    }
  } catch (error) {
    if (!(error instanceof SinkError) || !/does not exist/.test(error.message))
      throw asSinkError(stateDb, error);
  }
  const value = (location as { location?: unknown } | undefined)?.location;
  if (location !== undefined && value !== 'state-db' && value !== 'legacy-main') {
    throw new SinkError(
      `openclaw:${stateDb}`,
      `its ${OPENCLAW_SHARED_LOCATION_KEY} row holds an unknown location`,
      {
        hint: 'Run `openclaw doctor --fix`; openclaw refuses this value too.',
      },
    );
  }
  if (value === 'state-db') return { kind: 'shared-state', path: stateDb };
  return { kind: 'agent', path: openclawSharedMainDatabasePath(stateDir, pathOptions) };
}

function asSinkError(file: string, error: unknown): SinkError {
  if (error instanceof SinkError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SinkError(`openclaw:${file}`, message, { cause: error });
}

/**
 * The openclaw sink.
 * @throws {SinkError} from `publish` when the database is missing (never created), of a newer
 * schema than openclaw 2026.9.6's, busy for longer than 5 s, or holds rows openclaw could not read.
 */
export function createOpenclawSink(options: OpenclawSinkOptions = {}): Sink {
  const profileId = options.profileId ?? DEFAULT_OPENCLAW_SINK_PROFILE_ID;
  const described = options.agentId ? `agent ${options.agentId}` : 'shared store';
  return {
    kind: 'openclaw',
    target: `${options.stateDir ?? resolveOpenclawStateDir({ env: options.env, homeDir: options.homeDir })} (${described}, profile ${profileId})`,
    async publish(token: PublishedToken) {
      const target = resolveOpenclawAuthTarget(options);
      const name = `openclaw:${target.path}`;
      const db = openExistingSqlite(name, target.path);
      try {
        writeToken(db, target, name, profileId, token, {
          preferInOrder: options.preferInOrder ?? false,
          busyTimeoutMs: options.busyTimeoutMs ?? OPENCLAW_BUSY_TIMEOUT_MS,
        });
      } catch (error) {
        throw asSinkError(target.path, error);
      } finally {
        db.close();
      }
    },
  };
}

function writeToken(
  db: SqliteDatabase,
  target: OpenclawAuthTarget,
  name: string,
  profileId: string,
  token: PublishedToken,
  settings: { preferInOrder: boolean; busyTimeoutMs: number },
): void {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(settings.busyTimeoutMs))}`);
  const rows = target.kind === 'agent' ? AGENT_ROWS : SHARED_ROWS;
  if (target.kind === 'agent') {
    const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
    if (version > OPENCLAW_AGENT_SCHEMA_VERSION) {
      throw new SinkError(
        name,
        `its schema version ${version} is newer than ${OPENCLAW_AGENT_SCHEMA_VERSION} (openclaw ${OPENCLAW_FACTS_VERSION}); not written`,
        { hint: 'Upgrade oauth-recovery to a release that knows this openclaw version.' },
      );
    }
  }
  const tables =
    target.kind === 'agent' ? ['auth_profile_store', 'auth_profile_state'] : ['config_machine_state'];
  for (const table of tables) {
    if (!tableExists(db, table)) {
      throw new SinkError(name, `it has no ${table} table; not an openclaw auth database, nothing written`, {
        hint: 'Run `openclaw doctor --fix` so openclaw migrates it.',
      });
    }
  }
  db.exec('BEGIN IMMEDIATE');
  try {
    const store = parseAuthDocument(rows.read(db, 'store'), 'store');
    const nextStore = withTokenProfile(store, profileId, token);
    const now = Date.now();
    if (nextStore) rows.write(db, 'store', JSON.stringify(nextStore), now);
    const stateRaw = rows.read(db, 'state');
    const state = parseAuthDocument(stateRaw, 'state');
    const nextState = withOurState(state, nextStore ?? store, profileId, {
      tokenChanged: nextStore !== null,
      ensureOrder: settings.preferInOrder,
    });
    if (nextState) rows.write(db, 'state', JSON.stringify(nextState), now);
    db.exec('COMMIT');
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // No transaction left to roll back (SQLite ended it); nothing was committed.
    }
    if (error instanceof UnexpectedDocumentError) {
      throw new SinkError(name, `${error.message}; left untouched`, {
        hint: 'Run `openclaw doctor --fix`, which repairs it.',
      });
    }
    throw error;
  }
}
