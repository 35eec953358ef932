/**
 * A stand-in for macOS `security`, installed first on PATH so the Keychain source runs its
 * real execFile calls on Linux. Items live in `$FAKE_KEYCHAIN_DIR/items.json`; every process's
 * argv is appended to `argv.jsonl` and every command it runs to `calls.jsonl`. `security -i`
 * reads commands from stdin with Apple's line buffer (4095 bytes) and quoting rules. `$FAKE_SECURITY_MODE`: `hex` prints passwords hex-encoded (as
 * `security` does for unprintable data), `fail` exits 51 on every call.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.FAKE_KEYCHAIN_DIR;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'argv.jsonl'), JSON.stringify(argv) + '\n');
const itemsFile = path.join(dir, 'items.json');

// Apple's SecurityTool readline(): at most MAX_LINE_LEN - 1 bytes a line, the rest is the next line.
function readLines(bytes) {
  const lines = [];
  let i = 0;
  while (i < bytes.length) {
    let line = [];
    for (;;) {
      if (line.length === 4095) break;
      if (i >= bytes.length) return lines; // EOF before a newline: readline returns NULL
      const ch = bytes[i++];
      if (ch === 10) break;
      line.push(ch);
    }
    lines.push(Buffer.from(line));
  }
  return lines;
}

// Apple's split_line(): whitespace-separated, '...' or "..." quoted, backslash escapes any byte.
function splitLine(bytes) {
  const args = [];
  let state = 'ws', quote = 0, cur = [];
  const isSpace = (c) => c === 32 || (c >= 9 && c <= 13);
  for (const c of bytes) {
    if (state === 'ws') {
      if (isSpace(c)) continue;
      if (c === 34 || c === 39) { quote = c; state = 'q'; cur = []; continue; }
      state = 'arg'; cur = [];
    }
    if (state === 'arg') {
      if (c === 92) { state = 'arg\\'; continue; }
      if (isSpace(c)) { args.push(Buffer.from(cur).toString('utf8')); state = 'ws'; continue; }
      cur.push(c); continue;
    }
    if (state === 'q') {
      if (c === 92) { state = 'q\\'; continue; }
      if (c === quote) { args.push(Buffer.from(cur).toString('utf8')); state = 'ws'; continue; }
      cur.push(c); continue;
    }
    cur.push(c);
    state = state === 'arg\\' ? 'arg' : 'q';
  }
  if (state !== 'ws') args.push(Buffer.from(cur).toString('utf8'));
  return args;
}

function run(args) {
  fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify(args) + '\n');
  if (args.length === 0) return 0;
  if (process.env.FAKE_SECURITY_MODE === 'fail') {
    process.stderr.write('security: SecKeychainItemCopyContent: User interaction is not allowed.\n');
    return 51;
  }
  const items = fs.existsSync(itemsFile) ? JSON.parse(fs.readFileSync(itemsFile, 'utf8')) : {};
  const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const key = flag('-s') + '\u0000' + flag('-a');
  if (args[0] === 'find-generic-password') {
    if (!(key in items)) {
      process.stderr.write('security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n');
      return 44;
    }
    const value = items[key];
    process.stdout.write((process.env.FAKE_SECURITY_MODE === 'hex' ? Buffer.from(value).toString('hex') : value) + '\n');
    return 0;
  }
  if (args[0] === 'add-generic-password') {
    if (key in items && !args.includes('-U')) return 45;
    items[key] = flag('-w');
    fs.writeFileSync(itemsFile, JSON.stringify(items));
    return 0;
  }
  return 2;
}

if (argv[0] === '-i') {
  let result = 0;
  for (const line of readLines(fs.readFileSync(0))) result = run(splitLine(line));
  process.exit(result);
}
process.exit(run(argv));
`;

/** Writes the fake as `<dir>/bin/security`; returns the bin dir to put first on PATH. */
export async function installFakeSecurity(dir: string): Promise<string> {
  const bin = path.join(dir, 'bin');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(bin, { recursive: true });
  const file = path.join(bin, 'security');
  await writeFile(file, `#!${process.execPath}\n${SCRIPT}`);
  await chmod(file, 0o755);
  return bin;
}

export function keychainItemKey(service: string, account: string): string {
  return `${service}\u0000${account}`;
}
