/**
 * Child process for the SIGKILL test: replaces one file atomically in a tight loop, with
 * sequence numbers, and reports each completed write on stdout (synchronous on a pipe), so the
 * parent knows which contents the file may hold when it kills this process.
 * Usage: kill-writer.ts <file> <lastSeq>
 */
import { writeFileAtomic } from '../../../src/fs/atomic-write.js';

const [file, lastSeqText] = process.argv.slice(2);
if (!file || !lastSeqText) throw new Error('usage: kill-writer.ts <file> <lastSeq>');
const padding = 'x'.repeat(16 * 1024);

for (let seq = Number(lastSeqText) + 1; ; seq++) {
  await writeFileAtomic(file, `${JSON.stringify({ seq, padding })}\n`);
  process.stdout.write(`${seq}\n`);
}
