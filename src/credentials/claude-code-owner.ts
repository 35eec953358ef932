/**
 * Who we are, in the terms of Claude Code's owner record (`D/.oauth_refresh.lock.owner`), so the
 * CLI can prove us gone after a crash and take over our refresh lock in seconds. Computed as
 * Claude Code 2.1.328 computes it for itself (see claude-code-protocol.ts).
 */
import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface OwnerIdentity {
  /** Field 22 of `/proc/self/stat` (start time in clock ticks); undefined off Linux. */
  procStart: string | undefined;
  pidDomain: string;
  pidSpace: string;
}

let cached: Promise<OwnerIdentity> | undefined;

/** This process's owner-record identity (computed once). Never throws. */
export function readOwnerIdentity(): Promise<OwnerIdentity> {
  cached ??= computeIdentity();
  return cached;
}

async function computeIdentity(): Promise<OwnerIdentity> {
  const pidNamespace = await readlink('/proc/self/ns/pid').catch(() => '');
  const pidSpace = `${hostname()}${pidNamespace === '' ? '' : `#${pidNamespace}`}`;
  if (process.platform !== 'linux') {
    return {
      procStart: undefined,
      pidDomain: process.platform === 'win32' ? `linux:${hostname().toLowerCase()}` : 'linux',
      pidSpace,
    };
  }
  const [machineId, stat] = await Promise.all([
    readFile('/etc/machine-id', 'utf8').then(
      (text) => text.trim(),
      () => '',
    ),
    readFile('/proc/self/stat', 'utf8').catch(() => ''),
  ]);
  return { procStart: procStartOf(stat), pidDomain: `linux:${machineId}:${pidNamespace}`, pidSpace };
}

/** Field 22 (starttime) of a `/proc/<pid>/stat` line: the 20th field after the `)` of the command. */
export function procStartOf(statLine: string): string | undefined {
  const close = statLine.lastIndexOf(')');
  if (close < 0) return undefined;
  const field = statLine.slice(close + 2).split(' ')[19];
  return field && field.length <= 64 ? field : undefined;
}
