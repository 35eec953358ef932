/**
 * A raw WebSocket viewer for abuse tests: completes the handshake (with the page's Origin)
 * and hands back the bare socket, so a test can flood it with frames or stop reading.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { openUpgraded } from './websocket-upgrade.js';

/** A viewer socket right after the handshake, with the page's Origin. */
export async function openRawViewer(viewerUrl: string): Promise<Socket> {
  return (await openUpgraded(viewerUrl)).socket;
}

/** One client frame (masked, as RFC 6455 requires of clients), payload up to 125 bytes. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

export const OPCODE_PING = 0x9;
