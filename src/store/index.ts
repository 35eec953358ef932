/**
 * The profile store: the `ProfileStore` interface, its embedded default on openclaw's
 * `auth-profiles.json`, the document's schema, and where the default file lives.
 */
export {
  type ApiKeyProfile,
  ApiKeyProfileSchema,
  AUTH_PROFILES_VERSION,
  type AuthProfile,
  AuthProfileSchema,
  type AuthProfilesDocument,
  AuthProfilesDocumentSchema,
  emptyAuthProfilesDocument,
  isOAuthProfile,
  type OAuthProfile,
  OAuthProfileSchema,
  type OtherProfile,
  type TokenProfile,
  TokenProfileSchema,
  type UsageStats,
  UsageStatsSchema,
} from './auth-profiles-schema.js';
export {
  type DefaultStorePathOptions,
  openclawStorePath,
  ownStorePath,
  resolveDefaultStorePath,
  type StorePathOrigin,
} from './default-store-path.js';
export {
  createFileProfileStore,
  type FileProfileStore,
  type FileProfileStoreOptions,
} from './file-profile-store.js';
export type { ProfileStore, ProfileUsage, StoreUpdate, UsagePatch } from './types.js';
