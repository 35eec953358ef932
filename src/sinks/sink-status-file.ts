/**
 * The sinks' last publish, kept on disk by `watch` so that `status` and `doctor` (other
 * processes) can show it: `$XDG_CONFIG_HOME/oauth-recovery/sinks-status.json` (default
 * `~/.config/...`), `{"version":1,"profiles":{"<profileId>":{"updatedAt":<ms>,"sinks":[SinkStatus…]}}}`.
 * Metadata only (times, expiry, a token fingerprint, the last error message); never a token.
 */
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readLimitedText } from '../fs/read-limited.js';
import type { SinkStatus } from './types.js';

/** One profile's entry in the status file. */
export interface SinkStatusRecord {
  /** When `watch` last wrote this profile's record, epoch ms. */
  updatedAt: number;
  sinks: SinkStatus[];
}

/** Default location of the sinks' status file. */
export function sinkStatusFilePath(options: { env?: NodeJS.ProcessEnv; homeDir?: string } = {}): string {
  const env = options.env ?? process.env;
  const configHome = env.XDG_CONFIG_HOME || path.join(options.homeDir ?? os.homedir(), '.config');
  return path.join(configHome, 'oauth-recovery', 'sinks-status.json');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readAll(file: string): Promise<Record<string, unknown>> {
  try {
    const read = await readLimitedText(file);
    if (!read) return {};
    const parsed: unknown = JSON.parse(read.text);
    return isRecord(parsed) && isRecord(parsed.profiles) ? parsed.profiles : {};
  } catch {
    // A damaged status file only loses history: it is rewritten by the next publish.
    return {};
  }
}

/** The record `watch` left for `profileId`, or null. Never throws. */
export async function readSinkStatus(file: string, profileId: string): Promise<SinkStatusRecord | null> {
  const record = (await readAll(file))[profileId];
  if (!isRecord(record) || !Array.isArray(record.sinks) || typeof record.updatedAt !== 'number') return null;
  return record as unknown as SinkStatusRecord;
}

/**
 * Replaces `profileId`'s record (other profiles' records stay), atomically, mode 0600.
 * @throws {CredentialFileError} when the file cannot be written.
 */
export async function writeSinkStatus(
  file: string,
  profileId: string,
  record: SinkStatusRecord,
): Promise<void> {
  const profiles = await readAll(file);
  const next = { version: 1, profiles: { ...profiles, [profileId]: record } };
  await writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
}
