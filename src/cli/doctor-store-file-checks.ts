/**
 * `doctor`'s checks of the file store: the file exists and is a regular file, its mode and its
 * directory's mode keep other users out, and it is valid JSON matching the auth-profiles v1
 * schema, and this user can write it (and its directory). Reads only.
 */
import path from 'node:path';
import { StoreError, storeErrorFix } from '../errors.js';
import type { AuthProfilesDocument } from '../store/auth-profiles-schema.js';
import { createFileProfileStore } from '../store/file-profile-store.js';
import type { CliConfig } from './config.js';
import type { AddFinding } from './doctor-finding.js';
import { formatMode, isOpenToOthers, statOrNull } from './file-mode.js';
import { describeError } from './output.js';

/** Adds the store file's findings; returns its document when it could be read and parsed. */
export async function checkStoreFile(
  config: CliConfig,
  now: () => number,
  add: AddFinding,
): Promise<AuthProfilesDocument | null> {
  const storeFile = config.storePath;
  const storeStat = await statOrNull(storeFile).catch((error: unknown) => {
    add('store.file', 'error', describeError(error).message, 'Check the permissions of the path.');
    return undefined;
  });
  if (storeStat === undefined) return null;
  if (storeStat === null) {
    add(
      'store.file',
      'error',
      `store ${storeFile} does not exist (${config.storeOrigin})`,
      'Log in with `claude`, then run `oauth-recovery sync` to create it; or point --store / OAUTH_RECOVERY_STORE at the right file.',
    );
    return null;
  }
  if (!storeStat.isFile()) {
    add(
      'store.file',
      'error',
      `store ${storeFile} is not a regular file`,
      'Move it away and run `oauth-recovery sync`.',
    );
    return null;
  }
  add('store.file', 'ok', `store ${storeFile} (${config.storeOrigin})`);
  const mode = formatMode(storeStat.mode & 0o777);
  if (isOpenToOthers(storeStat.mode)) {
    add(
      'store.mode',
      'warn',
      `store mode is ${mode}: other users can read the login`,
      `chmod 600 '${storeFile}'`,
    );
  } else add('store.mode', 'ok', `store mode ${mode}`);
  const dir = path.dirname(storeFile);
  const dirStat = await statOrNull(dir).catch(() => null);
  if (dirStat) {
    const dirMode = formatMode(dirStat.mode & 0o777);
    if (isOpenToOthers(dirStat.mode)) {
      add('store.dirMode', 'warn', `store directory mode is ${dirMode}`, `chmod 700 '${dir}'`);
    } else add('store.dirMode', 'ok', `store directory mode ${dirMode}`);
  }
  // The mode alone says nothing about who runs this: the lock, temp file and rename need this
  // user to be able to write the directory (and the file).
  try {
    await createFileProfileStore({ path: storeFile, now }).checkWritable?.();
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    add(
      'store.writable',
      'error',
      error.errno === 'EACCES' || error.errno === 'EPERM'
        ? `store is not writable by this user (uid ${process.getuid?.() ?? '?'}): ${error.message}`
        : `store cannot be written: ${error.message}`,
      storeErrorFix(error.path, error.errno),
    );
  }
  try {
    const document = await createFileProfileStore({ path: storeFile, now }).readDocument();
    add('store.json', 'ok', 'store is valid JSON and matches the auth-profiles v1 schema');
    return document;
  } catch (error) {
    const report = describeError(error);
    add('store.json', 'error', report.message, report.hint ?? `Fix or restore ${storeFile}.`);
    return null;
  }
}
