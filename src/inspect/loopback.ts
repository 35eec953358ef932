/**
 * Inspector servers listen on loopback only. A non-loopback bind must be asked for explicitly,
 * and requests whose `Host` is not a loopback name are refused (DNS rebinding: a web page
 * that resolves its own name to 127.0.0.1 must not read the inspector).
 */
import { isIP } from 'node:net';

export const DEFAULT_INSPECTOR_HOST = '127.0.0.1';

/** An inspector was asked to listen where other hosts could reach it, without `allowNonLoopback`. */
export class InspectorBindRefusedError extends Error {
  readonly code = 'INSPECTOR_BIND_REFUSED';
  constructor(readonly host: string) {
    super(
      `refusing to serve the inspector on ${host}: other hosts could reach it. Bind to 127.0.0.1, or pass allowNonLoopback: true if you mean it`,
    );
    this.name = 'InspectorBindRefusedError';
  }
}

/** `localhost`, `127.x.y.z`, `::1` (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '::ffff:127.0.0.1';
  return false;
}

/** Throws unless `host` is loopback or non-loopback binds were explicitly allowed. */
export function assertBindAllowed(host: string, allowNonLoopback = false): void {
  if (allowNonLoopback || isLoopbackHost(host)) return;
  throw new InspectorBindRefusedError(host);
}

/** The host part of a `Host` header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`). */
export function hostHeaderName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

/** A request may be served when its Host is loopback (or any host, when non-loopback was allowed). */
export function isAllowedHostHeader(header: string | undefined, allowNonLoopback = false): boolean {
  return allowNonLoopback || isLoopbackHost(hostHeaderName(header));
}

/** `http://127.0.0.1:PORT/`, with IPv6 hosts in brackets. */
export function httpUrl(host: string, port: number): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

/**
 * True when a browser's `Origin` is the server's own origin (same host and port as the
 * request's `Host`), on a loopback name unless non-loopback serving was allowed. A request
 * with no `Origin` (not a browser, or a client hiding it) is refused.
 */
export function isSameOriginRequest(
  origin: string | undefined,
  hostHeader: string | undefined,
  allowNonLoopback = false,
): boolean {
  if (origin === undefined || hostHeader === undefined) return false;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' || url.host !== new URL(`http://${hostHeader}`).host) return false;
    return allowNonLoopback || isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}
