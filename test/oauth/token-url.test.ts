/** The refresh token travels only over https, or plain http to this machine. */
import { describe, expect, it } from 'vitest';
import { InsecureTokenUrlError } from '../../src/errors.js';
import { DEFAULT_TOKEN_URL, LEGACY_TOKEN_URL, resolveTokenUrl } from '../../src/oauth/index.js';

describe('resolveTokenUrl', () => {
  it('defaults to the platform endpoint', () => {
    expect(resolveTokenUrl()).toBe('https://platform.claude.com/v1/oauth/token');
    expect(resolveTokenUrl('  ')).toBe(DEFAULT_TOKEN_URL);
    expect(resolveTokenUrl(LEGACY_TOKEN_URL)).toBe('https://console.anthropic.com/v1/oauth/token');
  });

  it.each([
    'https://auth.example.com/v1/oauth/token',
    'http://127.0.0.1:8080/v1/oauth/token',
    'http://127.9.8.7/token',
    'http://localhost:3000/token',
    'http://LOCALHOST/token',
    'http://[::1]:9000/token',
  ])('accepts %s', (url) => {
    expect(resolveTokenUrl(url)).toBe(new URL(url).href);
  });

  it('normalises shorthand loopback addresses', () => {
    expect(resolveTokenUrl('http://127.1/token')).toBe('http://127.0.0.1/token');
  });

  it.each([
    'http://example.com/v1/oauth/token',
    'http://10.0.0.5/token',
    'http://128.0.0.1/token',
    'http://localhost.evil.com/token',
    'http://[::2]/token',
    'ftp://127.0.0.1/token',
    'file:///etc/passwd',
    'ws://localhost/token',
    'not a url',
    '/v1/oauth/token',
    'https://user:pass@auth.example.com/token',
  ])('refuses %s', (url) => {
    expect(() => resolveTokenUrl(url)).toThrow(InsecureTokenUrlError);
  });

  it('never prints user info or query strings', () => {
    try {
      resolveTokenUrl('http://user:sk-ant-secret@example.com/token?key=sk-ant-other');
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain('sk-ant');
      expect((err as InsecureTokenUrlError).code).toBe('INSECURE_TOKEN_URL');
    }
  });
});
