/**
 * A real redis-server (Debian's) for tests: started on a free loopback port with every file in
 * a temp dir, ready when its log says so (no sleeping), stopped by its pid. `kill('SIGKILL')`
 * and `restart()` (same port, same dir: the AOF brings the data back) serve the fault tests;
 * `replicaOf` makes a replica.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisServerOptions {
  /** AOF with fsync on every write (`appendonly yes`, `appendfsync always`). Default true. */
  appendonly?: boolean;
  /** `host:port` of the primary to replicate. */
  replicaOf?: string;
  /** Reuse this port (after a restart). Default a free one. */
  port?: number;
  /** Extra `--name value` settings. */
  settings?: Record<string, string>;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  pid(): number | undefined;
  /** Sends the signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and dir. */
  restart(): Promise<void>;
  /** Runs `redis-cli -p port ...args` and returns its output. */
  cli(...args: string[]): string;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

/** Is Debian's redis-server on PATH? */
export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function launch(port: number, dir: string, options: RedisServerOptions): Promise<ChildProcess> {
  const settings: Record<string, string> = {
    port: String(port),
    bind: '127.0.0.1',
    dir,
    save: '',
    appendonly: options.appendonly === false ? 'no' : 'yes',
    appendfsync: 'always',
    logfile: '',
    ...(options.replicaOf ? { replicaof: options.replicaOf.replace(':', ' ') } : {}),
    ...options.settings,
  };
  const args = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, ...value.split(' ')]);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Ready to accept connections/.test(log)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before ready: ${log.slice(-500)}`)),
    );
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-redis-'));
  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  for (let attempt = 0; ; attempt += 1) {
    try {
      child = await launch(port, dir, options);
      break;
    } catch (error) {
      if (attempt >= 3 || options.port !== undefined) throw error;
      port = await freePort(); // someone took the port between probe and bind
    }
  }
  const exited = (process: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (process.exitCode !== null || process.signalCode !== null) resolve();
      else process.once('exit', () => resolve());
    });
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child?.pid,
    async kill(signal = 'SIGTERM') {
      const running = child;
      if (!running?.pid) return;
      running.kill(signal);
      await exited(running);
    },
    async restart() {
      child = await launch(port, dir, options);
    },
    cli: (...args) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }),
    async stop() {
      await server.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
