/**
 * The access log (DOMAIN.md T1, T3, T5; DESIGN.md "no log, no data"): one
 * durable, tamper-evident record per GraphQL request, searchable by person
 * (through subject references), re-user, purpose, time and outcome, and
 * purged after its retention.
 *
 * Records are hash-chained and the chain is periodically signed (Ed25519
 * checkpoints), so `verify` finds the first altered, deleted or reordered
 * record. The store is a SQLite file in the data folder, or the PostgreSQL
 * schema of the key registry when `PASSERELLE_DATABASE_URL` is set; several
 * gateway replicas append to it concurrently. `createAccessLogWriter`
 * batches concurrent writes into one commit (group commit).
 *
 * The keys live outside the store, in `<dataDir>/keys/`: the subject
 * reference key (HMAC of person ids) and the checkpoint key pair.
 */
export {
  type AccessOutcome,
  type AccessRecord,
  accessRecordSchema,
  type ChainedAccessRecord,
  documentHashOf,
  GENESIS_HASH,
  recordHash,
} from './accessRecord.js';
export {
  type CheckpointKey,
  type CheckpointKeyFiles,
  ensureCheckpointKey,
  readCheckpointPublicKey,
} from './checkpoint.js';
export { AccessLogError, type AccessLogErrorCode, AccessLogUnavailableError } from './errors.js';
export type {
  AccessLogFilter,
  AccessLogLocation,
  AccessLogStore,
  AccessLogStoreOptions,
  BrokenLinkReason,
  PurgeResult,
  VerifyResult,
} from './model.js';
export { accessLogStoreFor, DEFAULT_CHAIN, openAccessLogStore } from './openAccessLogStore.js';
export {
  DEFAULT_RETENTION,
  MIN_RETENTION_MONTHS,
  type Retention,
  retentionFor,
} from './retention.js';
export { ACCESS_LOG_FILE_NAME } from './sqliteDatabase.js';
export { DEFAULT_CHECKPOINT_EVERY } from './store.js';
export {
  createSubjectReferencer,
  ensureSubjectReferenceKey,
  readSubjectReferenceKey,
  type SubjectReferencer,
} from './subjectReference.js';
export {
  type AccessLogWriter,
  type AccessLogWriterOptions,
  type AccessLogWriterStats,
  type CommitReport,
  createAccessLogWriter,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_DELAY_MS,
} from './writer.js';
