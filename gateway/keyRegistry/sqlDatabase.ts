/**
 * The small SQL surface the registry needs, implemented once for SQLite and
 * once for PostgreSQL, so that the registry's rules are written once. Not
 * part of the module's public surface.
 *
 * Statements are written with `?` placeholders (PostgreSQL's driver numbers
 * them) and every value is a parameter; only table names, validated at
 * open, are interpolated.
 */

export type SqlValue = string | number | null;

export type SqlExecutor = {
  /** Runs a statement and returns its rows (those of `RETURNING` for a write). */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a write and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
};

export type SqlDatabase = SqlExecutor & {
  /** The qualified name of one of the registry's tables. */
  table(name: RegistryTable): string;
  /**
   * Runs `work` in one transaction that takes the write lock up front
   * (SQLite `BEGIN IMMEDIATE`), committed when it resolves, rolled back
   * when it throws.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction that changed keys: tells other processes once it
   * commits (PostgreSQL NOTIFY; SQLite processes notice the commit itself).
   */
  announceKeyChange(tx: SqlExecutor): Promise<void>;
  /**
   * Calls `signal` whenever another connection may have committed a key
   * change; the registry then compares the change counter. Returns `stop`.
   */
  watchCommits(signal: () => void): () => void;
  close(): Promise<void>;
};

export type RegistryTable = 'keys' | 'seenAssertions' | 'notifications' | 'state';

/** Table names, the same in both stores. */
export const TABLE_NAMES: Readonly<Record<RegistryTable, string>> = {
  keys: 'reuser_keys',
  seenAssertions: 'seen_assertions',
  notifications: 'key_expiry_notifications',
  state: 'key_registry_state',
};

/**
 * The tables, in SQL both stores accept (an index lives in its table's
 * schema, so index names need no qualifier). Timestamps are milliseconds since
 * the epoch (BIGINT), compared as numbers. `state` holds one row: the key
 * change counter that replicas compare to notice a change.
 */
export function createTableStatements(table: (name: RegistryTable) => string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table('keys')} (
      kid TEXT PRIMARY KEY,
      reuser_id TEXT NOT NULL,
      algorithm TEXT NOT NULL CHECK (algorithm IN ('ES256', 'EdDSA')),
      public_jwk TEXT NOT NULL,
      valid_from BIGINT NOT NULL,
      valid_until BIGINT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
      created_at BIGINT NOT NULL,
      revoked_at BIGINT,
      revoked_by TEXT CHECK (revoked_by IN ('reuser', 'admin')),
      revocation_reason TEXT,
      replaced_by TEXT
    )`,
    `CREATE INDEX IF NOT EXISTS reuser_keys_by_reuser ON ${table('keys')} (reuser_id, created_at)`,
    `CREATE TABLE IF NOT EXISTS ${table('seenAssertions')} (
      reuser_id TEXT NOT NULL,
      jti TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (reuser_id, jti)
    )`,
    `CREATE INDEX IF NOT EXISTS seen_assertions_by_expiry ON ${table('seenAssertions')} (expires_at)`,
    `CREATE TABLE IF NOT EXISTS ${table('notifications')} (
      id TEXT PRIMARY KEY,
      kid TEXT NOT NULL,
      reuser_id TEXT NOT NULL,
      days_before INTEGER NOT NULL,
      valid_until BIGINT NOT NULL,
      queued_at BIGINT NOT NULL,
      delivered_at BIGINT,
      UNIQUE (kid, days_before)
    )`,
    `CREATE TABLE IF NOT EXISTS ${table('state')} (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      key_generation BIGINT NOT NULL
    )`,
    `INSERT INTO ${table('state')} (id, key_generation) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
  ];
}
