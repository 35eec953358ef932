/**
 * Masking by value: every token value the process has seen is registered here (the runtime's
 * credential vault registers each credential it holds), and every text that leaves the
 * process through a slow path (log lines, inspector frames, error messages, CLI output) is
 * scanned for them, whatever the text around them.
 *
 * Forms masked, and why these:
 * - the token as is, and **without its `sk-ant-oat01-` / `sk-ant-` prefix**: error texts quote
 *   the part they consider the value;
 * - **any 16-character piece** of the token's random part: a truncated quote still holds a
 *   usable-looking secret, and 16 base64url characters (96 bits) never occur by chance;
 * - **split by invisible characters**: control characters (C0, DEL, C1), whitespace and
 *   zero-width characters inside the token (a hostile or broken endpoint, line wrapping);
 * - **JSON-escaped and URL-encoded**: `\u0073`, `\n` or `%01` inside the token, because an
 *   error text often embeds a raw JSON body or a URL. Anthropic tokens are base64url, which
 *   JSON and URL encoding leave unchanged, so these matter only around inserted characters.
 * Not masked: base64/hex encodings of a token, reversed or otherwise transformed text. We
 *   never encode tokens that way, the token endpoint does not either, and a hostile endpoint
 *   can transform a token in endless ways no matcher closes; our defence there is that
 *   endpoint text reaches people only as a short, masked snippet.
 *
 * Registration costs one small set per secret (bounded to the last 64 secrets); the scan runs
 * only on the slow paths, never on `getAccessToken()`.
 */

const ANTHROPIC_PREFIX = /^sk-ant-(?:[a-z]+\d*-)?/;
const PREFIX_BEFORE = /sk-ant-(?:[a-z]+\d*-)?$/;
/** Length of the pieces matched: 96 bits of base64url, never a coincidence. */
const WINDOW = 16;
/** Shorter secrets are not masked by value (they would shred ordinary words). */
const MIN_SECRET_LENGTH = 8;
const MAX_SECRETS = 64;
const MASK = '***';

/** Characters that may sit inside a quoted token without being part of it (controls, spaces, zero-width). */
function isInvisible(code: number): boolean {
  return (
    code <= 0x20 ||
    (code >= 0x7f && code <= 0xa0) ||
    code === 0xad ||
    code === 0x1680 ||
    code === 0x180e ||
    (code >= 0x2000 && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202f) ||
    (code >= 0x205f && code <= 0x2064) ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

interface Patterns {
  /** Every WINDOW-long piece of the secret's random part. */
  windows: Set<string>;
  /** The whole random part, when shorter than WINDOW. */
  short: string | undefined;
}

const registry = new Map<string, Patterns>();
let windows = new Set<string>();
let shorts: string[] = [];
/**
 * Patterns of the `extra` secrets callers pass: a sanitizer passes the same few for every string
 * of a frame, and deriving a secret's pieces anew each time cost more than the scan itself.
 */
const extraPatterns = new Map<string, Patterns>();

function patternsOf(secret: string): Patterns {
  const body = secret.replace(ANTHROPIC_PREFIX, '');
  if (body.length < WINDOW) return { windows: new Set(), short: body };
  const pieces = new Set<string>();
  for (let i = 0; i + WINDOW <= body.length; i++) pieces.add(body.slice(i, i + WINDOW));
  return { windows: pieces, short: undefined };
}

function rebuild(): void {
  windows = new Set();
  shorts = [];
  for (const patterns of registry.values()) {
    for (const piece of patterns.windows) windows.add(piece);
    if (patterns.short !== undefined) shorts.push(patterns.short);
  }
}

/**
 * Remembers token values so every later masked text hides them in any of the forms above.
 * Blank, missing and short (< 8 characters) values are ignored; the last 64 are kept.
 */
export function registerSecrets(...secrets: Array<string | null | undefined>): void {
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    if (registry.has(secret)) {
      registry.delete(secret); // most recent last
      registry.set(secret, registry.get(secret) ?? patternsOf(secret));
      continue;
    }
    const patterns = patternsOf(secret);
    if (patterns.short !== undefined && patterns.short.length < MIN_SECRET_LENGTH) continue;
    registry.set(secret, patterns);
    for (const piece of patterns.windows) windows.add(piece);
    if (patterns.short !== undefined) shorts.push(patterns.short);
  }
  if (registry.size <= MAX_SECRETS) return;
  while (registry.size > MAX_SECRETS) registry.delete(registry.keys().next().value as string);
  rebuild();
}

/** Forgets every registered secret (tests; a process that logs out for good). */
export function clearRegisteredSecrets(): void {
  registry.clear();
  extraPatterns.clear();
  rebuild();
}

/** The patterns of a secret passed as `extra`: remembered (the last 64), not derived per call. */
function patternsOfExtra(secret: string): Patterns {
  const known = registry.get(secret) ?? extraPatterns.get(secret);
  if (known) return known;
  const patterns = patternsOf(secret);
  extraPatterns.set(secret, patterns);
  if (extraPatterns.size > MAX_SECRETS) extraPatterns.delete(extraPatterns.keys().next().value as string);
  return patterns;
}

/** How many secrets are registered. */
export function registeredSecretCount(): number {
  return registry.size;
}

const isHex = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

function hexAt(text: string, start: number, length: number): number {
  if (start + length > text.length) return -1;
  for (let i = start; i < start + length; i++) if (!isHex(text.charCodeAt(i))) return -1;
  return Number.parseInt(text.slice(start, start + length), 16);
}

/**
 * The text with invisible characters and escapes removed: `chars[k]` is a visible character
 * and `from[k]`/`to[k]` the range of the original text it came from.
 */
function normalize(text: string): { chars: string; from: number[]; to: number[] } {
  const out: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let i = 0;
  while (i < text.length) {
    let code = text.charCodeAt(i);
    let end = i + 1;
    if (code === 0x5c /* \ */) {
      const next = text.charCodeAt(i + 1);
      const escaped = next === 0x75 /* u */ ? hexAt(text, i + 2, 4) : -1;
      if (escaped !== -1) {
        code = escaped;
        end = i + 6;
      } else if (next === 0x6e || next === 0x72 || next === 0x74 || next === 0x62 || next === 0x66) {
        code = 0x0a; // \n \r \t \b \f
        end = i + 2;
      }
    } else if (code === 0x25 /* % */) {
      const escaped = hexAt(text, i + 1, 2);
      if (escaped !== -1) {
        code = escaped;
        end = i + 3;
      }
    }
    if (!isInvisible(code)) {
      out.push(code);
      from.push(i);
      to.push(end);
    }
    i = end;
  }
  let chars = '';
  for (let k = 0; k < out.length; k += 8192) chars += String.fromCharCode(...out.slice(k, k + 8192));
  return { chars, from, to };
}

/**
 * Replaces every registered secret (and each of `extra`) in `text` with `***`, in any of the
 * forms listed in this module's comment. Returns `text` itself when nothing matched.
 */
export function maskRegisteredSecrets(text: string, extra: readonly string[] = []): string {
  if (text.length < MIN_SECRET_LENGTH) return text;
  const extras = extra.filter((secret) => secret.length >= MIN_SECRET_LENGTH).map(patternsOfExtra);
  if (windows.size === 0 && shorts.length === 0 && extras.length === 0) return text;
  const { chars, from, to } = normalize(text);
  const hit = new Uint8Array(chars.length);
  let any = false;
  const mark = (start: number, length: number) => {
    hit.fill(1, start, start + length);
    any = true;
  };
  const isPiece = (piece: string) => windows.has(piece) || extras.some((p) => p.windows.has(piece));
  for (let k = 0; k + WINDOW <= chars.length; k++) if (isPiece(chars.slice(k, k + WINDOW))) mark(k, WINDOW);
  for (const short of [...shorts, ...extras.flatMap((p) => (p.short ? [p.short] : []))]) {
    for (let k = chars.indexOf(short); k !== -1; k = chars.indexOf(short, k + 1)) mark(k, short.length);
  }
  if (!any) return text;
  let out = '';
  let cursor = 0;
  for (let k = 0; k < chars.length; k++) {
    if (!hit[k]) continue;
    let last = k;
    while (last + 1 < chars.length && hit[last + 1]) last++;
    // The token's own prefix goes with it: `sk-ant-ort01-abc…` becomes `***`, not `sk-ant-ort01-***`.
    const start = from[k] as number;
    const prefix = PREFIX_BEFORE.exec(text.slice(Math.max(cursor, start - 24), start));
    out += `${text.slice(cursor, start - (prefix?.[0].length ?? 0))}${MASK}`;
    cursor = to[last] as number;
    k = last;
  }
  return out + text.slice(cursor);
}
