/**
 * Child process for the crash-consistency suite: cycles through the three writes the runtime
 * makes (a locked credential update of the profile store, a usage-stats update of the store, a
 * write-back to the Claude CLI file), each carrying a sequence number, and acknowledges each
 * completed write on stdout (synchronous on a pipe) before starting the next. The parent
 * SIGKILLs it at a random moment.
 * Usage: crash-writer.ts <store> <cliFile> <baseExpiresAt> <startSeq>
 */
import { createClaudeCliFileSource } from '../../../src/credentials/claude-cli-file-source.js';
import type { OAuthCredential } from '../../../src/credentials/types.js';
import { createFileProfileStore } from '../../../src/store/file-profile-store.js';

const [storePath, cliPath, baseText, startText] = process.argv.slice(2);
if (!storePath || !cliPath || !baseText || !startText) {
  throw new Error('usage: crash-writer.ts <store> <cliFile> <baseExpiresAt> <startSeq>');
}
const PROFILE = 'anthropic:claude-cli';
const base = Number(baseText);
const store = createFileProfileStore({ path: storePath });
const cli = createClaudeCliFileSource({ path: cliPath });

const credential = (seq: number): OAuthCredential => ({
  accessToken: `sk-ant-oat01-crash-access-${seq}`,
  refreshToken: `sk-ant-ort01-crash-refresh-${seq}`,
  expiresAt: base + seq * 1000,
});

for (let seq = Number(startText) + 1; ; seq++) {
  await store.updateCredential(PROFILE, () => ({ write: credential(seq), result: undefined }));
  process.stdout.write(`c ${seq}\n`);
  await store.recordUsage(PROFILE, { errorCount: seq });
  process.stdout.write(`u ${seq}\n`);
  await cli.writeBack(credential(seq));
  process.stdout.write(`w ${seq}\n`);
}
