/** The openclaw auth-profiles.json v1 schema: what it accepts, keeps, and names when it refuses. */
import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../src/credentials/json-document.js';
import { CredentialParseError } from '../../src/errors.js';
import {
  AuthProfilesDocumentSchema,
  findForeignProblems,
  parseOwnEntries,
} from '../../src/store/auth-profiles-schema.js';
import { caught, MINIMAL_OAUTH_PROFILE } from '../support/store-workers/fixtures.js';

const parse = (value: unknown) =>
  parseJsonDocument(AuthProfilesDocumentSchema, JSON.stringify(value), 'store.json');

describe('AuthProfilesDocumentSchema', () => {
  it('accepts oauth, token, api_key and unknown profile types, and keeps unknown fields', () => {
    const document = {
      version: 1,
      profiles: {
        'anthropic:claude-cli': { ...MINIMAL_OAUTH_PROFILE, email: 'e' },
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
  ])('names the field of a broken profile we own: $name', async ({ profile, field }) => {
    const document = parse({ version: 1, profiles: { 'p:x': profile } });
    const error = (await caught(
      Promise.resolve().then(() => parseOwnEntries(document, 'p:x', 'store.json')),
    )) as CredentialParseError;
    expect(error).toBeInstanceOf(CredentialParseError);
    expect(error.field).toBe(field);
    // The same profile owned by someone else: the document reads, the problem is listed.
    expect(parseOwnEntries(document, 'other:id', 'store.json').profile).toBeUndefined();
    expect(findForeignProblems(document, 'other:id')).toEqual([
      { field, problem: expect.stringMatching(/missing|wrong type/) },
    ]);
  });

  it('quotes profile ids that are not plain names', async () => {
    const document = parse({ version: 1, profiles: { 'a.b c': { type: 'oauth' } } });
    const error = (await caught(
      Promise.resolve().then(() => parseOwnEntries(document, 'a.b c', 'store.json')),
    )) as CredentialParseError;
    expect(error.field).toBe('profiles["a.b c"].provider');
  });

  it('does not trip over a profile type named like an Object.prototype member', () => {
    const document = parse({ version: 1, profiles: { x: { type: 'constructor' } } });
    expect(parseOwnEntries(document, 'x', 'store.json').profile?.type).toBe('constructor');
  });

  it('carries malformed foreign entries (null key, bad order, odd usage) and lists them', () => {
    const document = parse({
      version: 1,
      profiles: {
        'anthropic:claude-cli': { ...MINIMAL_OAUTH_PROFILE },
        'openai:default': { type: 'api_key', provider: 'openai', key: null },
        broken: null,
      },
      order: { anthropic: 'not-a-list' },
      usageStats: { 'openai:default': { errorCount: 'many' } },
    });
    expect(parseOwnEntries(document, 'anthropic:claude-cli', 'store.json').profile?.type).toBe('oauth');
    expect(findForeignProblems(document, 'anthropic:claude-cli').map((p) => p.field)).toEqual([
      'profiles.openai:default.key',
      'profiles.broken',
      'usageStats.openai:default.errorCount',
    ]);
  });
});
