/**
 * Child process that takes the store lock, says so, and then holds it until killed: the
 * parent SIGKILLs it to leave a lock behind whose owner is dead.
 * Usage: hold-lock.ts <file> <staleMs>
 */
import { acquireLock } from '../../../src/fs/lock.js';

const [file, staleText] = process.argv.slice(2);
if (!file || !staleText) throw new Error('usage: hold-lock.ts <file> <staleMs>');
await acquireLock(file, { staleMs: Number(staleText) });
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
