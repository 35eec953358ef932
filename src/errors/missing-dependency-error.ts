/** An optional peer dependency a feature needs is not installed. */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

/**
 * An optional peer dependency a feature needs is not installed: `@statelyai/inspect` for the
 * Stately inspector, `pino-pretty` for `createLogger({ pretty: true })`. The hint names the
 * `npm install` that fixes it.
 */
export class MissingDependencyError extends OAuthRecoveryError {
  /** The npm package to install, e.g. `@statelyai/inspect`. */
  readonly packageName: string;
  /** What needs it, e.g. `the Stately inspector`. */
  readonly feature: string;
  constructor(packageName: string, feature: string, options?: { cause?: unknown }) {
    super(
      'MISSING_DEPENDENCY',
      `${feature} needs the optional package ${packageName}, which is not installed`,
      {
        ...options,
        hint: `npm install ${packageName}`,
      },
    );
    this.packageName = packageName;
    this.feature = feature;
  }
}
