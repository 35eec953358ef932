/**
 * Child process run under another uid (the tests run as root, which ignores file modes): reads
 * a credentials file through the real code and prints the outcome as JSON, so the parent sees
 * the genuine EACCES handling. Usage: read-as-user.ts <cli|store|raw> <file>
 */
import { createClaudeCliFileSource } from '../../../src/credentials/claude-cli-file-source.js';
import { OAuthRecoveryError } from '../../../src/errors.js';
import { readLimitedText } from '../../../src/fs/read-limited.js';
import { createFileProfileStore } from '../../../src/store/file-profile-store.js';

const [kind, file] = process.argv.slice(2);
if (!kind || !file) throw new Error('usage: read-as-user.ts <cli|store|raw> <file>');
try {
  if (kind === 'cli') await createClaudeCliFileSource({ path: file }).read();
  else if (kind === 'store')
    await createFileProfileStore({ path: file }).readCredential('anthropic:claude-cli');
  else await readLimitedText(file);
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (error) {
  const typed = error instanceof OAuthRecoveryError;
  process.stdout.write(
    JSON.stringify({
      ok: false,
      name: (error as Error).name,
      typed,
      json: typed ? error.toJSON() : null,
      message: (error as Error).message,
    }),
  );
}
