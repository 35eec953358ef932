/**
 * Recognises "the Anthropic API refused our token" in whatever a caller's function threw:
 * an Anthropic SDK `APIError` (`status`, `error` = the body), a fetch/axios-style error
 * (`statusCode`, `response.status`, `response.data`), a raw body, or just a message that
 * embeds the body as JSON. `withAuth` uses it to decide between "refresh and retry" and
 * "not our business, rethrow". Causes are followed a few levels, because callers wrap.
 */
import { OAuthRecoveryError } from '../errors.js';
import { toSafeSnippet } from './mask-secrets.js';

const AUTH_STATUSES = new Set([401, 403]);
const AUTH_MESSAGE_MARKERS = ['oauth token has been revoked', 'token has expired', 'authentication_error'];
const MAX_DEPTH = 4;

type Bag = Record<string, unknown>;

function asBag(value: unknown): Bag | undefined {
  return typeof value === 'object' && value !== null ? (value as Bag) : undefined;
}

function parseJsonObject(text: string): Bag | undefined {
  // SDK messages look like `401 {"type":"error",...}`: take the outermost braces.
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    return asBag(JSON.parse(text.slice(start, end + 1)));
  } catch {
    return undefined;
  }
}

/** An Anthropic error body: `{"type":"error","error":{"type":"authentication_error","message":...}}`. */
function authErrorOfBody(body: unknown): { type: string; message?: string } | undefined {
  const bag = typeof body === 'string' ? parseJsonObject(body) : asBag(body);
  if (bag === undefined) return undefined;
  const inner = asBag(bag.error);
  if (inner !== undefined && typeof inner.type === 'string') {
    return { type: inner.type, message: typeof inner.message === 'string' ? inner.message : undefined };
  }
  return undefined;
}

/** The error itself and its causes, outermost first, without cycles. */
function chainOf(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < MAX_DEPTH && !chain.includes(current)) {
    chain.push(current);
    current = asBag(current)?.cause;
  }
  return chain;
}

function statusOf(link: unknown): number | undefined {
  const bag = asBag(link);
  if (bag === undefined) return undefined;
  for (const candidate of [bag.status, bag.statusCode, asBag(bag.response)?.status]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate;
  }
  return undefined;
}

function messageOf(link: unknown): string | undefined {
  if (typeof link === 'string') return link;
  const message = asBag(link)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Places a body can hang off an error: the error itself, `error`, `body`, `response.data|body`, the message. */
function bodiesOf(link: unknown): unknown[] {
  const bag = asBag(link);
  const response = asBag(bag?.response);
  return [link, bag?.error, bag?.body, response?.data, response?.body, messageOf(link)];
}

function authBodyOf(link: unknown): { type: string; message?: string } | undefined {
  for (const body of bodiesOf(link)) {
    const found = authErrorOfBody(body);
    if (found?.type === 'authentication_error') return found;
  }
  return undefined;
}

/** True when `err` (or one of its causes) is an Anthropic API authentication rejection. */
export function isAuthRejection(err: unknown): boolean {
  return chainOf(err).some((link) => {
    // Our own errors (a RefreshError with status 401 from the token endpoint) are not API
    // rejections: treating them as one would loop recovery into itself.
    if (link instanceof OAuthRecoveryError) return false;
    const status = statusOf(link);
    if (status !== undefined && AUTH_STATUSES.has(status)) return true;
    if (authBodyOf(link) !== undefined) return true;
    const message = messageOf(link)?.toLowerCase();
    return message !== undefined && AUTH_MESSAGE_MARKERS.some((marker) => message.includes(marker));
  });
}

/**
 * A short, secret-free description for logs and events: the first HTTP status in the chain
 * and the API's own message when there is one, otherwise the error's message, with anything
 * token-shaped (`sk-ant-...`, `Bearer ...`) masked.
 */
export function describeAuthRejection(err: unknown): { status?: number; message: string } {
  const chain = chainOf(err);
  const status = chain.map(statusOf).find((value) => value !== undefined);
  const apiMessage = chain.map((link) => authBodyOf(link)?.message).find((value) => value !== undefined);
  const fallback = chain.map(messageOf).find((value) => value !== undefined && value.trim() !== '');
  const text = apiMessage ?? fallback ?? (status === undefined ? 'unknown error' : 'authentication rejected');
  const message = toSafeSnippet(text, 200);
  return status === undefined ? { message } : { status, message };
}
