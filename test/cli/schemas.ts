/** Zod schemas of the CLI's `--json` documents, as docs/cli.md describes them. */
import { z } from 'zod';

const epochMs = z.number().int().positive();
const fingerprint = z.string().regex(/^[0-9a-f]{12}$/);

export const ErrorJsonSchema = z.strictObject({
  ok: z.literal(false),
  error: z.strictObject({
    name: z.string(),
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
  }),
});

export const StatusJsonSchema = z.strictObject({
  profileId: z.string(),
  state: z.enum(['valid', 'expiring', 'expired', 'cooldown', 'missing']),
  expiresAt: epochMs.nullable(),
  expiresInMs: z.number().int().nullable(),
  source: z.literal('store').nullable(),
  fingerprint: fingerprint.nullable(),
  cooldownUntil: epochMs.nullable(),
  errorCount: z.number().int().min(0),
  lastFailureAt: epochMs.nullable(),
  lastUsed: epochMs.nullable(),
  cli: z.strictObject({
    path: z.string(),
    present: z.boolean(),
    blank: z.boolean(),
    expiresAt: epochMs.nullable(),
    fingerprint: fingerprint.nullable(),
    fresher: z.boolean(),
    sameAsStore: z.boolean(),
    writeBackBlocked: z.string().nullable(),
    error: ErrorJsonSchema.shape.error.nullable(),
  }),
  store: z.strictObject({ path: z.string(), origin: z.string(), exists: z.boolean() }),
  foreignProblems: z.array(z.strictObject({ field: z.string(), problem: z.string() })),
  /** What the last `watch --sink` published (sinks-status.json), or null. */
  sinks: z
    .strictObject({
      updatedAt: epochMs,
      sinks: z.array(
        z.strictObject({
          kind: z.string(),
          target: z.string(),
          lastPublishAt: epochMs.nullable(),
          lastPublishedExpiresAt: epochMs.nullable(),
          lastPublishedFingerprint: fingerprint.nullable(),
          lastError: z.strictObject({ at: epochMs, message: z.string() }).nullable(),
        }),
      ),
    })
    .nullable(),
  lastFailure: z
    .strictObject({
      at: z.number(),
      kind: z.enum(['permanent', 'transient', 'store']),
      httpStatus: z.number().int().optional(),
      oauthError: z.string().optional(),
      contentType: z.string().optional(),
      causeCode: z.string().optional(),
      message: z.string(),
    })
    .nullable(),
  refreshTokenDead: z.boolean(),
  /** A Redis store's fleet state; null for a file store. */
  fleet: z
    .strictObject({
      version: z.number().int().min(0),
      leaseHolder: z.string().nullable(),
      leaseRemainingMs: z.number().int().nullable(),
      committedBy: z.string().nullable(),
      committedAt: epochMs.nullable(),
      commitAgeMs: z.number().int().min(0).nullable(),
      spendInFlight: z.strictObject({ holder: z.string(), since: epochMs }).nullable(),
      deadTokens: z.number().int().min(0),
      replication: z.strictObject({
        role: z.string(),
        connectedReplicas: z.number().int().min(0),
        maxLagBytes: z.number().int().min(0),
      }),
    })
    .nullable(),
});

export const SyncJsonSchema = z.strictObject({
  ok: z.literal(true),
  adopted: z.literal(true),
  profileId: z.string(),
  fingerprint,
  expiresAt: epochMs,
  previous: z.strictObject({ fingerprint, expiresAt: z.number() }).nullable(),
  store: z.strictObject({
    path: z.string(),
    modeChanged: z.strictObject({ from: z.string(), to: z.string() }).nullable(),
  }),
  cli: z.strictObject({ path: z.string() }),
});

export const SyncCurrentJsonSchema = z.strictObject({
  ok: z.literal(true),
  adopted: z.literal(false),
  alreadyCurrent: z.literal(true),
  profileId: z.string(),
  fingerprint,
  expiresAt: epochMs,
  store: z.strictObject({ path: z.string() }),
  cli: z.strictObject({ path: z.string() }),
});

export const RefreshJsonSchema = z.strictObject({
  ok: z.literal(true),
  profileId: z.string(),
  how: z.enum(['refresh', 'cli', 'store']),
  fingerprint,
  expiresAt: epochMs,
  previousFingerprint: fingerprint.nullable(),
  tokenRequests: z.number().int().min(0),
  durationMs: z.number().int().min(0),
});

export const DoctorJsonSchema = z.strictObject({
  ok: z.boolean(),
  errors: z.number().int().min(0),
  warnings: z.number().int().min(0),
  findings: z.array(
    z.strictObject({
      check: z.string(),
      level: z.enum(['ok', 'warn', 'error']),
      message: z.string(),
      fix: z.string().nullable(),
    }),
  ),
});

export const DemoJsonSchema = z.strictObject({
  ok: z.boolean(),
  totalMs: z.number().int().min(0),
  stories: z
    .array(
      z.strictObject({
        id: z.number().int(),
        title: z.string(),
        ok: z.boolean(),
        path: z.array(z.string()),
        tokenRequests: z.number().int().min(0),
        expectedTokenRequests: z.number().int().min(0),
        durationMs: z.number().int().min(0),
        detail: z.string(),
      }),
    )
    .length(4),
});
