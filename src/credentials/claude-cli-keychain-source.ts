/**
 * The Claude Code CLI's login in the macOS login Keychain, through Apple's `security` tool
 * (no native module): `find-generic-password -s SERVICE -a ACCOUNT -w` to read, and
 * `add-generic-password -U -s SERVICE -a ACCOUNT -w JSON` to update in place, always with
 * argument arrays (execFile, no shell). Exit status 44 means "no such item". Errors carry the
 * exit status only: `security`'s stdout is the secret itself.
 *
 * Exposure (issue 11): the write is sent as one line on the stdin of `security -i`, so the
 * JSON never appears in any argv (`ps -ww`), unlike the CLI's own `add-generic-password -w
 * JSON`. `security -i` reads at most 4094 bytes a line (security-interactive.ts); a document
 * longer than that, or holding a raw newline, falls back to the argv form rather than lose
 * the rotated login (docs/reliability.md).
 */
import { execFile } from 'node:child_process';
import { KeychainError } from '../errors.js';
import { errnoCode } from '../fs/fs-errors.js';
import { interpretClaudeCliDocument } from './claude-cli-document.js';
import { type ClaudeCliCredentialsDocument, ClaudeCliCredentialsSchema } from './claude-cli-schema.js';
import type { ClaudeCliSource } from './claude-cli-source.js';
import { checkClaudeCliWritable } from './claude-cli-writable.js';
import { writeBackUnderLock } from './claude-cli-write-back.js';
import { DEFAULT_FRESHNESS_MARGIN_MS, type WriteOptions } from './freshness.js';
import { parseJsonDocument } from './json-document.js';
import { securityInteractiveInput } from './security-interactive.js';
import type { OAuthCredential } from './types.js';

/** `security` exit status for errSecItemNotFound. */
const ITEM_NOT_FOUND_EXIT = 44;
const MAX_ITEM_BYTES = 1024 * 1024;

export interface ClaudeCliKeychainSourceOptions {
  service: string;
  account: string;
  /** Environment for `security` (PATH decides which binary runs). */
  env?: NodeJS.ProcessEnv | undefined;
  /** The `security` executable; default `security` from PATH. */
  securityCommand?: string | undefined;
  timeoutMs?: number | undefined;
  /** The CLI's storage dir `D`: write-back runs under its `.storage-write.lock`, as the CLI's own writes do. */
  storageDir: string;
  watchTarget: string;
  now?: (() => number) | undefined;
  marginMs?: number | undefined;
}

export function createClaudeCliKeychainSource(options: ClaudeCliKeychainSourceOptions): ClaudeCliSource {
  const label = `keychain:${options.service}`;
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? DEFAULT_FRESHNESS_MARGIN_MS;

  /** Runs `security ...args`; with `input`, writes it to the child's stdin and closes it. */
  const security = (args: string[], input?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        options.securityCommand ?? 'security',
        args,
        {
          env: options.env ?? process.env,
          timeout: options.timeoutMs ?? 15_000,
          maxBuffer: MAX_ITEM_BYTES,
          encoding: 'utf8',
          windowsHide: true,
        },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
      // EPIPE when `security` exits before reading stdin surfaces as its exit status instead.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    });

  async function readItem(): Promise<{ document: ClaudeCliCredentialsDocument; text: string } | null> {
    let stdout: string;
    try {
      stdout = await security(['find-generic-password', '-s', options.service, '-a', options.account, '-w']);
    } catch (error) {
      if (exitStatus(error) === ITEM_NOT_FOUND_EXIT) return null;
      throw keychainFailure(label, 'find-generic-password', error);
    }
    const text = decodeSecurityOutput(stdout);
    return { document: parseJsonDocument(ClaudeCliCredentialsSchema, text, label), text };
  }

  return {
    kind: 'keychain',
    location: label,
    watchTarget: options.watchTarget,
    storageDir: options.storageDir,

    checkWritable: () => checkClaudeCliWritable(options.storageDir),

    async read() {
      const item = await readItem();
      return item ? interpretClaudeCliDocument(item.document, now()) : { status: 'missing' };
    },

    writeBack(rotated: OAuthCredential, writeOptions: WriteOptions = {}) {
      return writeBackUnderLock(
        {
          storageDir: options.storageDir,
          target: label,
          read: readItem,
          store: async (text, lock) => {
            await lock.assertHeld();
            const command = [
              'add-generic-password',
              '-U',
              '-s',
              options.service,
              '-a',
              options.account,
              '-w',
              text,
            ];
            const input = securityInteractiveInput(command);
            try {
              // stdin keeps the JSON out of argv; a line `security -i` cannot read whole falls back to argv.
              await (input === null ? security(command) : security(['-i'], input));
            } catch (error) {
              throw keychainFailure(label, 'add-generic-password', error);
            }
          },
          now,
          marginMs,
        },
        rotated,
        writeOptions,
      );
    },
  };
}

/**
 * `security -w` prints the password as-is, or as hex when it holds bytes it deems
 * unprintable; both forms are accepted. The trailing newline is dropped.
 */
function decodeSecurityOutput(stdout: string): string {
  const text = stdout.replace(/\r?\n$/, '');
  if (text.length % 2 === 0 && /^(?:[0-9a-fA-F]{2})+$/.test(text) && !/^\d+$/.test(text)) {
    return Buffer.from(text, 'hex').toString('utf8');
  }
  return text;
}

function exitStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function keychainFailure(label: string, command: string, error: unknown): KeychainError {
  const code = errnoCode(error);
  if (code === 'ENOENT') {
    return new KeychainError(`${label}: the macOS \`security\` tool was not found on PATH`);
  }
  if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new KeychainError(`${label}: the Keychain item is too large to be a credentials document`);
  }
  const killed = (error as { killed?: boolean } | null)?.killed;
  if (killed)
    return new KeychainError(`${label}: \`security ${command}\` timed out (is a Keychain prompt open?)`);
  const status = exitStatus(error);
  return new KeychainError(
    `${label}: \`security ${command}\` failed${status === undefined ? '' : ` with exit status ${status}`}; ` +
      'if the login Keychain is locked, run `security unlock-keychain` and retry',
  );
}
