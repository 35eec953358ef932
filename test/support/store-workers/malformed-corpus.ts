/**
 * The malformed-input corpus shared by the Claude CLI and profile store suites: each entry
 * puts one kind of bad input at a path and says which typed error it must produce. Every
 * input carries a recognisable secret so the suites can check no error ever echoes it.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readlink, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { CredentialFileError, CredentialParseError } from '../../../src/errors.js';
import { caught, expectNoSecrets, fileFingerprint } from './fixtures.js';

export const CORPUS_SECRET = 'sk-ant-oat01-SECRET-CORPUS-0123456789abcdef';
export const CORPUS_REFRESH_SECRET = 'sk-ant-ort01-SECRET-CORPUS-REFRESH-fedcba9876543210';

export interface CorpusCase {
  name: string;
  /** Puts the bad input at `file`. */
  create(file: string): Promise<void>;
  error: typeof CredentialParseError | typeof CredentialFileError;
  /** Substring the message must contain (besides the file path). */
  problem: string;
  /** Expected `field` of a CredentialParseError. */
  field?: string;
}

const write = (text: string | Buffer) => async (file: string) => {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, { mode: 0o600 });
};

/** Cases that are wrong whatever the document: bytes, size, file type, links. */
export function genericCorpus(validDocument: string): CorpusCase[] {
  const cut = validDocument.indexOf(CORPUS_SECRET) + 20;
  return [
    {
      name: 'truncated JSON (cut inside a token)',
      create: write(validDocument.slice(0, cut)),
      error: CredentialParseError,
      problem: 'not valid JSON',
      field: '',
    },
    {
      name: 'truncated JSON after a UTF-8 BOM',
      create: write(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(validDocument.slice(0, cut))]),
      ),
      error: CredentialParseError,
      problem: 'not valid JSON',
    },
    { name: 'empty file', create: write(''), error: CredentialParseError, problem: 'is empty' },
    {
      name: 'HTML error page',
      create: write(
        `<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><!-- ${CORPUS_SECRET} --></body></html>`,
      ),
      error: CredentialParseError,
      problem: 'HTML',
    },
    {
      name: 'JSON null',
      create: write('null'),
      error: CredentialParseError,
      problem: 'wrong type',
      field: '',
    },
    {
      name: 'JSON array',
      create: write(`["${CORPUS_SECRET}"]`),
      error: CredentialParseError,
      problem: 'wrong type',
      field: '',
    },
    {
      name: 'invalid UTF-8',
      create: write(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
      error: CredentialParseError,
      problem: 'UTF-8',
    },
    {
      name: '50 MB file',
      create: async (file) => {
        await write(validDocument.replace(CORPUS_SECRET, `${CORPUS_SECRET}${' '.repeat(1024)}`))(file);
        await truncate(file, 50 * 1024 * 1024);
      },
      error: CredentialFileError,
      problem: 'too large',
    },
    {
      name: 'symlink loop',
      create: async (file) => {
        await mkdir(path.dirname(file), { recursive: true });
        const other = `${file}.loop`;
        await symlink(other, file);
        await symlink(file, other);
      },
      error: CredentialFileError,
      problem: 'symlink loop',
    },
    {
      name: 'directory in place of the file',
      create: async (file) => {
        await mkdir(file, { recursive: true });
        await writeFile(path.join(file, 'keep'), CORPUS_SECRET);
      },
      error: CredentialFileError,
      problem: 'is a directory',
    },
    {
      name: 'FIFO in place of the file',
      create: async (file) => {
        await mkdir(path.dirname(file), { recursive: true });
        execFileSync('mkfifo', [file]);
      },
      error: CredentialFileError,
      problem: 'not a regular file',
    },
  ];
}

/** Documents that are JSON but have a wrong shape: `build` returns the document text. */
export function schemaCase(name: string, build: () => unknown, field: string, problem: string): CorpusCase {
  return { name, create: write(JSON.stringify(build())), error: CredentialParseError, problem, field };
}

/** Everything about what sits at `file` (and next to it) that a failed operation must not change. */
async function pathSnapshot(file: string): Promise<string> {
  const stats = await lstat(file);
  if (stats.isSymbolicLink()) return `link:${await readlink(file)}`;
  if (stats.isDirectory()) return `dir:${(await readdir(file)).join(',')}:${stats.mtimeMs}`;
  if (stats.isFIFO()) return `fifo:${stats.ino}`;
  return fileFingerprint(file);
}

/**
 * Runs each operation against the case's bad input at `file`: each must reject with the case's
 * typed error naming the file, the problem and the field, echo none of `secrets` (the corpus's
 * own are always checked), and leave `file` and its directory as they were (no temp file).
 */
export async function expectEachFailsUntouched(
  entry: CorpusCase,
  file: string,
  operations: ReadonlyArray<() => Promise<unknown>>,
  secrets: readonly string[] = [],
): Promise<void> {
  const before = await pathSnapshot(file);
  for (const operation of operations) {
    const error = await caught(operation());
    expect(error).toBeInstanceOf(entry.error);
    expect(error.message).toContain(file);
    expect(error.message).toContain(entry.problem);
    if (entry.field !== undefined) expect((error as CredentialParseError).field).toBe(entry.field);
    if (entry.field) expect(error.message).toContain(`"${entry.field}"`);
    expectNoSecrets(error, [CORPUS_SECRET, CORPUS_REFRESH_SECRET, ...secrets]);
    expect(await pathSnapshot(file)).toBe(before);
    expect((await readdir(path.dirname(file))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }
}
