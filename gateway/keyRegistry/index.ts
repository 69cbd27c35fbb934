/**
 * The key registry (DOMAIN.md S1-S3): re-users' public keys with their
 * validity and status, the replay cache of assertion ids, and the queue of
 * expiry warnings. The policy files say who may ask for what (DECISIONS.md
 * section 2); this store holds only what changes at run time.
 *
 * One store is shared by every gateway process: a SQLite file in the data
 * folder on one host (default), or a PostgreSQL schema when
 * `PASSERELLE_DATABASE_URL` is set. Revocation, replay protection and
 * "warn once" hold across processes, and `onChange` tells each process
 * within a second that keys changed, so it can drop what it cached.
 */
export { KeyRegistryError, type KeyRegistryErrorCode } from './errors.js';
export {
  type AssertionRecord,
  EXPIRY_WARNING_DAYS,
  type ExpiryNotification,
  type ExpiryWarningDays,
  type KeyAlgorithm,
  type KeyRegistry,
  type KeyRegistryOptions,
  type KeyState,
  type KeyStoreOptions,
  type KeyValidity,
  type ReuserKey,
} from './model.js';
export { keyStoreFor, openKeyRegistry } from './openKeyRegistry.js';
export { describePostgresUrl } from './postgresDatabase.js';
export { checkPublicJwk } from './publicKey.js';
export { SQLITE_FILE_NAME } from './sqliteDatabase.js';
export {
  addMonths,
  DEFAULT_KEY_VALIDITY_MONTHS,
  keyStateAt,
  MAX_KEY_VALIDITY_MONTHS,
} from './validity.js';
