// Runs under the cached Node 24 (it has node:sqlite; openclaw and pi need it): executes the JSON
// steps in argv[2] in order and prints one JSON array with each step's result. Our sinks come
// from the built dist/ (test/global-setup.ts builds it); openclaw and pi from their installs.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

const sinks = await import(new URL('../../../dist/src/sinks/index.js', import.meta.url).href);
const steps = JSON.parse(process.argv[2]);
const held = new Map();
let openclaw;

async function loadOpenclaw() {
  if (openclaw) return openclaw;
  const dir = process.env.OPENCLAW_DIR;
  const runtime = await import(pathToFileURL(path.join(dir, 'dist/plugin-sdk/agent-runtime.js')).href);
  const auth = await import(pathToFileURL(path.join(dir, 'dist/plugin-sdk/provider-auth.js')).href);
  // Not in the plugin SDK: the legacy-file refusal (AUTH_PROFILE_MIGRATION_REQUIRED), openclaw 2026.9.6's chunk.
  const chunk = readdirSync(path.join(dir, 'dist')).find((name) =>
    /^legacy-source-diagnostic-.*\.mjs$/.test(name),
  );
  const legacy = await import(pathToFileURL(path.join(dir, 'dist', chunk)).href);
  openclaw = { runtime, auth, assertMigrationReady: legacy.i };
  return openclaw;
}

function errorJson(error) {
  return { name: error?.name, code: error?.code, message: String(error?.message ?? error) };
}

// openclaw 2026.9.6's auth tables (schema copied from its agent and state databases).
const AGENT_SCHEMA = `
CREATE TABLE auth_profile_store (store_key TEXT NOT NULL PRIMARY KEY, store_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;
CREATE TABLE auth_profile_state (state_key TEXT NOT NULL PRIMARY KEY, state_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;`;
const STATE_SCHEMA = `
CREATE TABLE config_machine_state (state_key TEXT NOT NULL PRIMARY KEY, value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT;`;

const ops = {
  schema({ path: file, kind, userVersion }) {
    const db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(kind === 'state' ? STATE_SCHEMA : AGENT_SCHEMA);
    db.exec(`PRAGMA user_version = ${userVersion ?? (kind === 'state' ? 18 : 23)}`);
    db.close();
    return true;
  },
  sql({ path: file, sql, params = [] }) {
    const db = new DatabaseSync(file);
    try {
      return db.prepare(sql).run(...params).changes;
    } finally {
      db.close();
    }
  },
  rows({ path: file }) {
    const db = new DatabaseSync(file, { readOnly: true });
    const has = (name) => db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
    const out = {};
    if (has('auth_profile_store')) {
      out.store =
        db.prepare("SELECT store_json FROM auth_profile_store WHERE store_key='primary'").get()?.store_json ??
        null;
      out.state =
        db.prepare("SELECT state_json FROM auth_profile_state WHERE state_key='primary'").get()?.state_json ??
        null;
    }
    if (has('config_machine_state')) {
      out.kv = Object.fromEntries(
        db
          .prepare('SELECT state_key, value_json FROM config_machine_state')
          .all()
          .map((r) => [r.state_key, r.value_json]),
      );
    }
    db.close();
    return out;
  },
  writeFile({ path: file, text }) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return true;
  },
  hold({ path: file }) {
    const db = new DatabaseSync(file);
    db.exec('BEGIN IMMEDIATE');
    held.set(file, db);
    return true;
  },
  release({ path: file }) {
    const db = held.get(file);
    db.exec('ROLLBACK');
    db.close();
    held.delete(file);
    return true;
  },
  async publish({ options, token }) {
    try {
      await sinks.createOpenclawSink(options).publish(token);
      return { ok: true };
    } catch (error) {
      return { error: errorJson(error) };
    }
  },
  async publishPi({ options, token }) {
    try {
      await sinks.createPiSink(options).publish(token);
      return { ok: true };
    } catch (error) {
      return { error: errorJson(error) };
    }
  },
  async ocCreate({ agentDir, profileId, credential }) {
    const { auth } = await loadOpenclaw();
    auth.upsertAuthProfile({ profileId, credential, agentDir });
    return true;
  },
  // What openclaw's own loader makes of the store: the profiles it keeps, its order for
  // anthropic, whether the provider is blocked by a legacy file, and what our profile resolves to.
  async ocRead({ agentDir, profileId }) {
    const { runtime, assertMigrationReady } = await loadOpenclaw();
    runtime.clearRuntimeAuthProfileStoreSnapshots();
    let store;
    try {
      // Throws AUTH_PROFILE_MIGRATION_REQUIRED when a legacy JSON store sits next to an empty one.
      store = runtime.ensureAuthProfileStore(agentDir);
      assertMigrationReady(agentDir, process.env, 'anthropic', undefined);
    } catch (error) {
      return { blocked: errorJson(error) };
    }
    const blocked = null;
    const resolved = await runtime.resolveApiKeyForProfile({ store, profileId, agentDir });
    return {
      profiles: store.profiles,
      order: runtime.resolveAuthProfileOrder({ store, provider: 'anthropic' }),
      eligibility: runtime.resolveAuthProfileEligibility({ store, provider: 'anthropic', profileId }),
      blocked,
      resolved: resolved && {
        apiKey: resolved.apiKey,
        profileType: resolved.profileType,
        provider: resolved.provider,
      },
    };
  },
  async piRead({ authPath }) {
    const { AuthStorage } = await import(
      pathToFileURL(path.join(process.env.PI_DIR, 'dist/core/auth-storage.js')).href
    );
    const storage = AuthStorage.create(authPath);
    return { anthropic: (await storage.read('anthropic')) ?? null, list: await storage.list?.() };
  },
};

const results = [];
for (const step of steps) {
  try {
    results.push(await ops[step.op](step));
  } catch (error) {
    results.push({ thrown: errorJson(error) });
  }
}
for (const db of held.values()) db.close();
process.stdout.write(`\n${JSON.stringify(results)}\n`);
process.exit(0);
