/**
 * Turns Node's errno failures into `CredentialFileError`s a person can act on. Only the path,
 * the action and the errno code reach the message: never file content.
 */
import { CredentialFileError, OAuthRecoveryError } from '../errors.js';

export type FsAction = 'read' | 'write' | 'lock' | 'watch' | 'resolve';

/** The `code` of a Node system error, or undefined for anything else (our own errors included). */
export function errnoCode(error: unknown): string | undefined {
  if (error instanceof OAuthRecoveryError) return undefined;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const MODE_HINT = 'it should belong to the user running oauth-recovery, mode 0600 (its directory 0700)';

export function describeFsError(file: string, action: FsAction, error: unknown): CredentialFileError {
  const code = errnoCode(error);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new CredentialFileError(file, `permission denied (${action})`, {
        cause: error,
        hint: `Check the owner and mode of ${file} and of every directory above it: ${MODE_HINT}.`,
      });
    case 'ELOOP':
      return symlinkLoopError(file, error);
    case 'EISDIR':
      return directoryInPlaceError(file, error);
    case 'ENOTDIR':
      return new CredentialFileError(file, 'a parent of this path is not a directory', { cause: error });
    case 'EROFS':
      return new CredentialFileError(file, `read-only file system (${action})`, { cause: error });
    case 'ENOSPC':
    case 'EDQUOT':
      return new CredentialFileError(file, `no space left on the device (${action})`, { cause: error });
    default:
      return new CredentialFileError(file, `${action} failed${code ? ` (${code})` : ''}`, { cause: error });
  }
}

export function symlinkLoopError(file: string, cause?: unknown): CredentialFileError {
  return new CredentialFileError(file, 'symlink loop (too many levels of symbolic links)', {
    cause,
    hint: `Point ${file} at a real file: \`ls -l ${file}\` shows where the loop starts.`,
  });
}

export function directoryInPlaceError(file: string, cause?: unknown): CredentialFileError {
  return new CredentialFileError(file, 'is a directory, expected a file', {
    cause,
    hint: `Move the directory ${file} out of the way; a credentials file belongs there.`,
  });
}
