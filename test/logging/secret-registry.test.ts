/** The process-wide secret registry: the forms it masks, what it leaves alone, and its bound. */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredSecrets,
  maskRegisteredSecrets,
  registeredSecretCount,
  registerSecrets,
} from '../../src/logging/secret-registry.js';
import { maskSecrets } from '../../src/oauth/mask-secrets.js';

const token = (prefix = 'sk-ant-ort01-') => `${prefix}${randomBytes(48).toString('base64url')}`;
const body = (value: string) => value.replace(/^sk-ant-[a-z]+\d*-/, '');

afterEach(() => clearRegisteredSecrets());

describe('secret registry', () => {
  it('masks a registered token in every realistic form, prefix included', () => {
    const rt = token();
    registerSecrets(rt);
    const b = body(rt);
    const forms = [
      `x ${rt} y`,
      `x ${b} y`,
      `x ${b.slice(0, 20)} y`,
      `x ${rt.slice(0, 30)}\u0001${rt.slice(30)} y`,
      `x ${b.slice(0, 10)}\u200b${b.slice(10, 50)}\r\n${b.slice(50)} y`,
      `x ${b.slice(0, 30)}\\u0007${b.slice(30)} y`,
      `x ${b.slice(0, 30)}\\n${b.slice(30)} y`,
      `x ${b.slice(0, 30)}%0A${b.slice(30)} y`,
    ];
    for (const form of forms) {
      const masked = maskRegisteredSecrets(form);
      expect(masked.startsWith('x ') && masked.endsWith(' y'), masked).toBe(true);
      expect(masked).not.toContain(b.slice(0, 16));
      expect(masked).not.toContain(b.slice(-16));
    }
    expect(maskRegisteredSecrets(`x ${rt} y`)).toBe('x *** y');
    expect(maskSecrets(`echo ${b}`)).toBe('echo ***');
  });

  it('leaves ordinary text, other tokens and short values alone', () => {
    registerSecrets(token(), '', null, undefined, 'short');
    expect(registeredSecretCount()).toBe(1);
    const text = 'refresh failed: HTTP 400 invalid_grant at https://platform.claude.com/v1/oauth/token\n';
    expect(maskRegisteredSecrets(text)).toBe(text);
    const other = body(token());
    expect(maskRegisteredSecrets(other)).toBe(other);
  });

  it('masks the extra secrets a caller passes, in the same forms', () => {
    const rt = token();
    // '.' is not base64url: a letter after the quote would be masked too whenever it happens to
    // be the token's next character (1 run in 64 failed that way).
    expect(maskRegisteredSecrets(`a ${body(rt).slice(0, 40)}\u0000 .`, [rt])).toBe('a ***\u0000 .');
    expect(registeredSecretCount()).toBe(0);
  });

  it('keeps only the most recent 64 secrets', () => {
    const first = token();
    registerSecrets(first);
    for (let i = 0; i < 64; i++) registerSecrets(token());
    expect(registeredSecretCount()).toBe(64);
    expect(maskRegisteredSecrets(first)).toBe(first);
  });
});
