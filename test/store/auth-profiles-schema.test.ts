/** The openclaw auth-profiles.json v1 schema: what it accepts, keeps, and names when it refuses. */
import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../src/credentials/json-document.js';
import { CredentialParseError } from '../../src/errors.js';
import { AuthProfilesDocumentSchema } from '../../src/store/auth-profiles-schema.js';
import { caught } from '../support/store-workers/fixtures.js';

const parse = (value: unknown) =>
  parseJsonDocument(AuthProfilesDocumentSchema, JSON.stringify(value), 'store.json');

describe('AuthProfilesDocumentSchema', () => {
  it('accepts oauth, token, api_key and unknown profile types, and keeps unknown fields', () => {
    const document = {
      version: 1,
      profiles: {
        'anthropic:claude-cli': {
          type: 'oauth',
          provider: 'anthropic',
          access: 'a',
          refresh: 'r',
          expires: 1,
          email: 'e',
        },
        'github:pat': { type: 'token', provider: 'github', token: 't', expires: 2 },
        'openai:key': { type: 'api_key', provider: 'openai', key: 'k', metadata: { gateway: 'g' } },
        'future:x': { type: 'passkey', anything: [1] },
        'google:x': {
          type: 'oauth',
          provider: 'google',
          access: 'a',
          refresh: 'r',
          expires: 1,
          projectId: 'p',
        },
      },
      order: { anthropic: ['anthropic:claude-cli'] },
      lastGood: { anthropic: 'anthropic:claude-cli' },
      usageStats: { 'anthropic:claude-cli': { errorCount: 0, cooldownUntil: 5, failureCounts: { auth: 1 } } },
      somethingNew: true,
    };
    expect(parse(document)).toEqual(document);
  });

  it('keeps the original object (key order included), never a reordered copy', () => {
    const text = '{"profiles":{},"zeta":1,"version":1,"alpha":2}';
    expect(JSON.stringify(parseJsonDocument(AuthProfilesDocumentSchema, text, 'f'))).toBe(text);
  });

  it.each([
    {
      name: 'oauth without refresh',
      profile: { type: 'oauth', provider: 'p', access: 'a', expires: 1 },
      field: 'profiles.p:x.refresh',
    },
    {
      name: 'api_key with a numeric key',
      profile: { type: 'api_key', provider: 'p', key: 1 },
      field: 'profiles.p:x.key',
    },
    {
      name: 'token without provider',
      profile: { type: 'token', token: 't' },
      field: 'profiles.p:x.provider',
    },
  ])('names the field of a broken known profile: $name', async ({ profile, field }) => {
    const error = (await caught(
      Promise.resolve().then(() => parse({ version: 1, profiles: { 'p:x': profile } })),
    )) as CredentialParseError;
    expect(error).toBeInstanceOf(CredentialParseError);
    expect(error.field).toBe(field);
  });

  it('quotes profile ids that are not plain names', async () => {
    const error = (await caught(
      Promise.resolve().then(() => parse({ version: 1, profiles: { 'a.b c': { type: 'oauth' } } })),
    )) as CredentialParseError;
    expect(error.field).toBe('profiles["a.b c"].provider');
  });

  it('does not trip over a profile type named like an Object.prototype member', () => {
    expect(parse({ version: 1, profiles: { x: { type: 'constructor' } } }).profiles.x?.type).toBe(
      'constructor',
    );
  });
});
