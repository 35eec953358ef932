/**
 * The `security -i` line builder against Apple's interactive parser rules (SecurityTool
 * `security.c` split_line, `readline.c`): quoting, the 4094-byte line bound, unquotable input.
 */
import { describe, expect, it } from 'vitest';
import {
  quoteSecurityArgument,
  SECURITY_INTERACTIVE_MAX_LINE_BYTES,
  securityInteractiveInput,
} from '../../src/credentials/security-interactive.js';

describe('securityInteractiveInput', () => {
  it('double-quotes every argument and escapes backslash and double quote only', () => {
    expect(quoteSecurityArgument(String.raw`a "b" \c 'd'`)).toBe(String.raw`"a \"b\" \\c 'd'"`);
    expect(securityInteractiveInput(['add-generic-password', '-s', 'Claude Code-credentials'])).toBe(
      '"add-generic-password" "-s" "Claude Code-credentials"\n',
    );
  });

  it('refuses what a line cannot carry: a newline, a NUL', () => {
    expect(securityInteractiveInput(['-w', '{\n}'])).toBeNull();
    expect(securityInteractiveInput(['-w', 'a\0b'])).toBeNull();
  });

  it('bounds the line in bytes (multi-byte characters count as their UTF-8 length)', () => {
    const fits = 'x'.repeat(SECURITY_INTERACTIVE_MAX_LINE_BYTES - 2);
    expect(securityInteractiveInput([fits])).toBe(`"${fits}"\n`);
    expect(securityInteractiveInput([`${fits}x`])).toBeNull();
    expect(securityInteractiveInput(['é'.repeat(SECURITY_INTERACTIVE_MAX_LINE_BYTES / 2)])).toBeNull();
  });
});
