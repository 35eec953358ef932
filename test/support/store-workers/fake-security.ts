/**
 * A stand-in for macOS `security`, installed first on PATH so the Keychain source runs its
 * real execFile calls on Linux. Items live in `$FAKE_KEYCHAIN_DIR/items.json`; every call is
 * appended to `calls.jsonl`. `$FAKE_SECURITY_MODE`: `hex` prints passwords hex-encoded (as
 * `security` does for unprintable data), `fail` exits 51 on every call.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.FAKE_KEYCHAIN_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify(args) + '\n');
if (process.env.FAKE_SECURITY_MODE === 'fail') {
  process.stderr.write('security: SecKeychainItemCopyContent: User interaction is not allowed.\n');
  process.exit(51);
}
const itemsFile = path.join(dir, 'items.json');
const items = fs.existsSync(itemsFile) ? JSON.parse(fs.readFileSync(itemsFile, 'utf8')) : {};
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const key = flag('-s') + '\u0000' + flag('-a');
if (args[0] === 'find-generic-password') {
  if (!(key in items)) {
    process.stderr.write('security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n');
    process.exit(44);
  }
  const value = items[key];
  process.stdout.write((process.env.FAKE_SECURITY_MODE === 'hex' ? Buffer.from(value).toString('hex') : value) + '\n');
} else if (args[0] === 'add-generic-password') {
  if (key in items && !args.includes('-U')) process.exit(45);
  items[key] = flag('-w');
  fs.writeFileSync(itemsFile, JSON.stringify(items));
} else {
  process.exit(2);
}
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
