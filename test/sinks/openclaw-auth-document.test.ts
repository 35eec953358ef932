import { describe, expect, it } from 'vitest';
import {
  parseAuthDocument,
  UnexpectedDocumentError,
  withOurState,
  withTokenProfile,
} from '../../src/sinks/openclaw-auth-document.js';
import { MINIMAL_OAUTH_PROFILE } from '../support/store-workers/fixtures.js';

const OURS = 'anthropic:oauth-recovery';
const token = { accessToken: 'sk-ant-oat01-new', expiresAt: 1_800_000_000_000 };

describe('withTokenProfile', () => {
  it('adds our token profile and keeps every other profile and top-level field as parsed', () => {
    const store = {
      version: 1,
      futureField: { keep: true },
      profiles: {
        'openai:default': { type: 'api_key', provider: 'openai', key: 'k', extra: [1, 2] },
        'anthropic:claude-cli': { ...MINIMAL_OAUTH_PROFILE },
      },
    };
    const next = withTokenProfile(store, OURS, token);
    expect(next).toEqual({
      ...store,
      profiles: {
        ...store.profiles,
        [OURS]: { type: 'token', provider: 'anthropic', token: token.accessToken, expires: token.expiresAt },
      },
    });
  });

  it('returns null when the same token and expiry are already there (no write)', () => {
    const store = {
      version: 1,
      profiles: {
        [OURS]: { type: 'token', provider: 'anthropic', token: token.accessToken, expires: token.expiresAt },
      },
    };
    expect(withTokenProfile(store, OURS, token)).toBeNull();
  });

  it("replaces our old token, keeps our profile's label, and drops a tokenRef openclaw would prefer", () => {
    const store = {
      version: 1,
      profiles: {
        [OURS]: {
          type: 'token',
          provider: 'anthropic',
          token: 'old',
          expires: 1,
          displayName: 'bot',
          tokenRef: { source: 'env', id: 'X' },
        },
      },
    };
    expect(withTokenProfile(store, OURS, token)?.profiles).toEqual({
      [OURS]: {
        type: 'token',
        provider: 'anthropic',
        token: token.accessToken,
        expires: token.expiresAt,
        displayName: 'bot',
      },
    });
  });

  it('creates the profiles map in an empty document and refuses a non-object one', () => {
    expect(withTokenProfile(parseAuthDocument(undefined, 'store'), OURS, token)).toMatchObject({
      version: 1,
      profiles: { [OURS]: { type: 'token' } },
    });
    expect(() => withTokenProfile({ version: 1, profiles: [] }, OURS, token)).toThrow(
      UnexpectedDocumentError,
    );
  });
});

describe('parseAuthDocument', () => {
  it('refuses rows openclaw could not read either', () => {
    expect(() => parseAuthDocument('{not json', 'store')).toThrow(/not JSON/);
    expect(() => parseAuthDocument('[1]', 'state')).toThrow(/not a JSON object/);
  });
});

describe('withOurState', () => {
  const store = {
    version: 1,
    profiles: {
      [OURS]: { type: 'token', provider: 'anthropic' },
      'anthropic:work': { type: 'oauth', provider: 'anthropic' },
      'openai:default': { type: 'api_key', provider: 'openai' },
    },
  };

  it('clears only our own cooldown when the token changed; other profiles and fields stay', () => {
    const state = {
      version: 1,
      lastGood: { anthropic: 'anthropic:work' },
      usageStats: {
        [OURS]: { cooldownUntil: 9e12, cooldownReason: 'auth', errorCount: 3, lastUsed: 5 },
        'anthropic:work': { cooldownUntil: 9e12, errorCount: 2 },
      },
    };
    const next = withOurState(state, store, OURS, { tokenChanged: true, ensureOrder: false });
    expect(next).toEqual({
      ...state,
      usageStats: { [OURS]: { lastUsed: 5 }, 'anthropic:work': { cooldownUntil: 9e12, errorCount: 2 } },
    });
    expect(withOurState(state, store, OURS, { tokenChanged: false, ensureOrder: false })).toBeNull();
  });

  it('puts us first in an existing order.anthropic without dropping anyone', () => {
    const state = { version: 1, order: { anthropic: ['anthropic:work', OURS], openai: ['openai:default'] } };
    expect(withOurState(state, store, OURS, { tokenChanged: false, ensureOrder: true })).toEqual({
      version: 1,
      order: { anthropic: [OURS, 'anthropic:work'], openai: ['openai:default'] },
    });
  });

  it('creates order.anthropic with every other anthropic profile after ours, so none drops out', () => {
    expect(withOurState({ version: 1 }, store, OURS, { tokenChanged: false, ensureOrder: true })).toEqual({
      version: 1,
      order: { anthropic: [OURS, 'anthropic:work'] },
    });
  });

  it('changes nothing when we are already first, and refuses a malformed order', () => {
    expect(
      withOurState({ version: 1, order: { anthropic: [OURS] } }, store, OURS, {
        tokenChanged: false,
        ensureOrder: true,
      }),
    ).toBeNull();
    expect(() =>
      withOurState({ version: 1, order: { anthropic: 'x' } }, store, OURS, {
        tokenChanged: false,
        ensureOrder: true,
      }),
    ).toThrow(UnexpectedDocumentError);
  });
});
