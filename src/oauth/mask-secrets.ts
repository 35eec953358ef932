/**
 * Value-level masking for text that came from outside (a server's error_description, a
 * caller's error message). Anything shaped like an Anthropic token (`sk-ant-...`), a bearer
 * credential, or one of the exact secrets we know about is replaced before the text can
 * reach an error message, a log line or `--json` output. Known secrets (passed in, or
 * registered process-wide by the credential vault) are matched by value in every form listed
 * in src/logging/secret-registry.ts (no prefix, pieces, split by control characters, escaped).
 */
import { maskRegisteredSecrets } from '../logging/secret-registry.js';

const ANTHROPIC_TOKEN = /sk-ant-[A-Za-z0-9_-]*/g;
const BEARER_VALUE = /\b(Bearer\s+)[^\s"',;]+/gi;
// Control characters (except tab) would let a hostile body forge log lines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/** Replaces token-shaped substrings and the given known secrets with `***`. */
export function maskSecrets(text: string, knownSecrets: readonly string[] = []): string {
  return maskRegisteredSecrets(text, knownSecrets)
    .replace(ANTHROPIC_TOKEN, 'sk-ant-***')
    .replace(BEARER_VALUE, '$1***');
}

/** Masks secrets, drops control characters, collapses whitespace and caps the length. */
export function toSafeSnippet(text: string, maxLength = 200, knownSecrets: readonly string[] = []): string {
  const flat = maskSecrets(text, knownSecrets).replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}
