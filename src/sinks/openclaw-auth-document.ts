/**
 * Pure edits of openclaw's two auth documents (the store `{"version":1,"profiles":{…}}` and the
 * state `{"version":1,"order":{…},"lastGood":{…},"usageStats":{…}}`): put our `token` profile
 * in, and nothing else. Every other profile, field and entry is carried over as parsed.
 *
 * A `token` profile is used as is and never refreshed by openclaw (2026.9.6,
 * auth-profiles/oauth.ts `resolveApiKeyForProfile`): usable while `expires` is in the future.
 */

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Thrown for a document openclaw would not read either; the caller leaves the row untouched. */
export class UnexpectedDocumentError extends Error {}

/** Parses a stored cell; an absent row is an empty document. */
export function parseAuthDocument(raw: string | undefined, what: string): JsonObject {
  if (raw === undefined) return { version: 1 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UnexpectedDocumentError(`the ${what} row is not JSON`);
  }
  if (!isObject(parsed)) throw new UnexpectedDocumentError(`the ${what} row is not a JSON object`);
  return parsed;
}

/**
 * The store with our token profile set. Returns null when it already holds exactly this
 * token and expiry (nothing to write). Our profile's other fields (a label, an email) stay;
 * a `tokenRef` is dropped, since openclaw would prefer it over the token we write.
 */
export function withTokenProfile(
  store: JsonObject,
  profileId: string,
  token: { accessToken: string; expiresAt: number },
): JsonObject | null {
  const profiles = store.profiles === undefined ? {} : store.profiles;
  if (!isObject(profiles)) throw new UnexpectedDocumentError('the store row has a non-object "profiles"');
  const current = profiles[profileId];
  if (
    isObject(current) &&
    current.type === 'token' &&
    current.provider === 'anthropic' &&
    current.token === token.accessToken &&
    current.expires === token.expiresAt &&
    current.tokenRef === undefined
  ) {
    return null;
  }
  const { tokenRef: _dropped, ...kept } = isObject(current) ? current : {};
  return {
    ...store,
    version: store.version ?? 1,
    profiles: {
      ...profiles,
      [profileId]: {
        ...kept,
        type: 'token',
        provider: 'anthropic',
        token: token.accessToken,
        expires: token.expiresAt,
      },
    },
  };
}

/** openclaw's unusable windows (auth-profiles/usage-state.ts): a failure of the old token. */
const UNUSABLE_FIELDS = [
  'cooldownUntil',
  'cooldownReason',
  'cooldownModel',
  'blockedUntil',
  'blockedReason',
  'blockedModel',
  'disabledUntil',
  'disabledReason',
  'errorCount',
  'failureCounts',
];

/**
 * The state with, for our profile only: the cooldown/block openclaw recorded against the
 * previous token removed (a new token starts clean), and, when `ensureOrder`, our id first in
 * `order.anthropic`. An absent `order.anthropic` becomes `[ours, …every other anthropic
 * profile in the store]`, so no profile drops out of openclaw's rotation. Returns null when
 * nothing changes.
 */
export function withOurState(
  state: JsonObject,
  store: JsonObject,
  profileId: string,
  options: { tokenChanged: boolean; ensureOrder: boolean },
): JsonObject | null {
  let next = state;
  const usageStats = state.usageStats;
  if (options.tokenChanged && isObject(usageStats) && isObject(usageStats[profileId])) {
    const ours = usageStats[profileId];
    if (UNUSABLE_FIELDS.some((field) => field in ours)) {
      const cleaned = Object.fromEntries(
        Object.entries(ours).filter(([field]) => !UNUSABLE_FIELDS.includes(field)),
      );
      next = { ...next, usageStats: { ...usageStats, [profileId]: cleaned } };
    }
  }
  if (options.ensureOrder) {
    const order = state.order === undefined ? {} : state.order;
    if (!isObject(order)) throw new UnexpectedDocumentError('the state row has a non-object "order"');
    const current = order.anthropic;
    if (current !== undefined && !Array.isArray(current)) {
      throw new UnexpectedDocumentError('the state row has a non-array "order.anthropic"');
    }
    if (current === undefined || current[0] !== profileId) {
      const others =
        current === undefined
          ? otherAnthropicProfiles(store, profileId)
          : current.filter((id) => id !== profileId);
      next = { ...next, version: next.version ?? 1, order: { ...order, anthropic: [profileId, ...others] } };
    }
  }
  return next === state ? null : next;
}

function otherAnthropicProfiles(store: JsonObject, profileId: string): string[] {
  const profiles = isObject(store.profiles) ? store.profiles : {};
  return Object.entries(profiles)
    .filter(([id, profile]) => id !== profileId && isObject(profile) && profile.provider === 'anthropic')
    .map(([id]) => id);
}
