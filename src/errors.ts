/**
 * Every failure oauth-recovery raises is one of these named errors, grouped by family in
 * `errors/`. Each carries a stable `code` for programs and a message a person can act on.
 * Messages never contain a token: constructors take field names and file paths, never values.
 * This module stays the one import path for every error class.
 */
export * from './errors/credential-errors.js';
export * from './errors/lock-errors.js';
export * from './errors/missing-dependency-error.js';
export * from './errors/oauth-recovery-error.js';
export * from './errors/recovery-errors.js';
export * from './errors/sink-error.js';
export * from './errors/store-errors.js';
export * from './errors/token-endpoint-errors.js';
