/**
 * How the inspectors' HTTP servers answer: a complete body with its length and the security
 * headers every answer carries (never cached, no MIME sniffing, no referrer, never framed).
 */
import type { ServerResponse } from 'node:http';

/** The headers every inspector answer carries (an event stream's too). */
export const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Answers with `status`, the media `type` and `body`, plus the security headers and `extra` ones. */
export function sendResponse(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  response.end(body);
}

/** `text/plain` in UTF-8, for the short error answers. */
export const PLAIN_TEXT = 'text/plain; charset=utf-8';
