/**
 * Sinks: the runtimes we publish access tokens into (openclaw's SQLite store, pi's auth.json,
 * any program via exec), the publisher that feeds them from a running recovery, and the status
 * file `watch` keeps for `status` and `doctor`.
 */
export { createExecSink, DEFAULT_EXEC_SINK_TIMEOUT_MS, type ExecSinkOptions } from './exec-sink.js';
export { hasNodeSqlite } from './node-sqlite.js';
export {
  DEFAULT_OPENCLAW_SINK_PROFILE_ID,
  OPENCLAW_AGENT_SCHEMA_VERSION,
  OPENCLAW_FACTS_VERSION,
  OPENCLAW_RETIRED_CLAUDE_CLI_PROFILE,
  openclawAgentDatabasePath,
  openclawLegacyJsonStorePath,
  openclawSharedMainDatabasePath,
  openclawStateDatabasePath,
  resolveOpenclawStateDir,
} from './openclaw-paths.js';
export {
  createOpenclawSink,
  type OpenclawAuthTarget,
  type OpenclawSinkOptions,
  resolveOpenclawAuthTarget,
} from './openclaw-sqlite-sink.js';
export { createPiSink, type PiSinkOptions, resolvePiAuthPath } from './pi-auth-sink.js';
export {
  createSinkPublisher,
  type PublisherSource,
  type SinkPublisher,
  type SinkPublisherOptions,
} from './sink-publisher.js';
export { parseSinkSpec, type SinkSpecOptions } from './sink-spec.js';
export {
  readSinkStatus,
  type SinkStatusRecord,
  sinkStatusFilePath,
  writeSinkStatus,
} from './sink-status-file.js';
export type { PublishedToken, Sink, SinkStatus } from './types.js';
