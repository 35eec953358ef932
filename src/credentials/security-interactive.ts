/**
 * One command line for `security -i`, which reads commands from stdin, so a secret passed as
 * an argument of that command never appears in any process's argv (`ps -ww`).
 *
 * The format is Apple's interactive parser (SecurityTool `security.c`, `split_line` and
 * `readline.c`, macOS 10.x through 15): a line ends at `\n`; arguments are split on
 * whitespace; an argument opened with `"` or `'` runs to the same quote; inside it `\x` stands
 * for `x` (any byte). A line is read into a 4096-byte buffer: at most 4095 bytes are kept and
 * the rest is read as the NEXT command, so a longer line must never be sent.
 */

/**
 * Longest line body (bytes, newline excluded) that `security -i` reads whole. At exactly 4095
 * bytes the newline is left unread and runs as an empty command whose status 0 masks a failure
 * of the real one, so the bound is one less than what fits the buffer.
 */
export const SECURITY_INTERACTIVE_MAX_LINE_BYTES = 4094;

/** Quotes one argument for `security -i`; `null` when it cannot be expressed (`\n`, NUL). */
export function quoteSecurityArgument(value: string): string | null {
  if (/[\n\0]/.test(value)) return null;
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/**
 * The stdin text (`<command>\n`) that runs `args` in `security -i`, or `null` when an argument
 * holds a newline or NUL, or the line would exceed {@link SECURITY_INTERACTIVE_MAX_LINE_BYTES}.
 */
export function securityInteractiveInput(args: readonly string[]): string | null {
  const quoted = args.map(quoteSecurityArgument);
  if (quoted.some((arg) => arg === null)) return null;
  const line = quoted.join(' ');
  if (Buffer.byteLength(line, 'utf8') > SECURITY_INTERACTIVE_MAX_LINE_BYTES) return null;
  return `${line}\n`;
}
