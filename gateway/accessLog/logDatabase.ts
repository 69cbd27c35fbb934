/**
 * The small SQL surface the access log needs, implemented once for SQLite
 * and once for PostgreSQL, so that chaining, verification and purging are
 * written once (`store.ts`). Not part of the module's public surface.
 *
 * Statements use `?` placeholders (the PostgreSQL side numbers them) and
 * every value is a parameter; only table names, fixed or validated at open,
 * are interpolated.
 */

export type SqlValue = string | number | null;

export type SqlExecutor = {
  /** Runs a statement and returns its rows. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a write and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Inserts rows, in as few statements as the driver allows. */
  insert(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void>;
};

export type LogTable = 'chains' | 'records' | 'subjects' | 'checkpoints';

export type LogDatabase = {
  /** The qualified name of one of the log's tables. */
  table(name: LogTable): string;
  /**
   * Appended to the `SELECT` of chain heads in a write transaction, so that
   * it holds them until commit: ` FOR UPDATE` in PostgreSQL; nothing in
   * SQLite, whose `BEGIN IMMEDIATE` already holds the file's write lock.
   */
  lockClause: string;
  /** Runs `work` in one write transaction, committed durably when it resolves, rolled back when it throws. */
  write<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `work` on a read-only snapshot: writes committed meanwhile are not seen. */
  snapshot<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/** Table names, the same in both stores. */
export const TABLE_NAMES: Readonly<Record<LogTable, string>> = {
  chains: 'access_log_chains',
  records: 'access_log_records',
  subjects: 'access_log_subjects',
  checkpoints: 'access_log_checkpoints',
};

/** Columns of a record row, in the order `store.ts` writes them. */
export const RECORD_COLUMNS = [
  'chain',
  'sequence',
  'occurred_at',
  'request_id',
  'trace_id',
  'reuser_id',
  'agent',
  'purpose_id',
  'legal_basis',
  'reason',
  'operation_type',
  'operation_name',
  'document_hash',
  'coordinates',
  'subject_refs',
  'outcome',
  'outcome_code',
  'policy_version',
  'client_address',
  'latency_ms',
  'previous_hash',
  'hash',
] as const;

/**
 * The tables, in SQL both stores accept. The record's fields are columns
 * (lists as JSON text) and the hash is recomputed from them, so no copy of
 * the record can drift from what search returns. `subjects` indexes the
 * subject references for T5 searches. `chains` holds each chain's head: the
 * row writers lock, and what `verify` compares the last record with.
 * Timestamps are ISO 8601 UTC text with milliseconds: text order is time order.
 */
export function createTableStatements(table: (name: LogTable) => string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table('chains')} (
      chain TEXT PRIMARY KEY,
      last_sequence BIGINT NOT NULL,
      last_hash TEXT NOT NULL,
      checkpointed_sequence BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${table('records')} (
      chain TEXT NOT NULL,
      sequence BIGINT NOT NULL,
      occurred_at TEXT NOT NULL,
      request_id TEXT NOT NULL,
      trace_id TEXT NOT NULL,
      reuser_id TEXT NOT NULL,
      agent TEXT NOT NULL,
      purpose_id TEXT NOT NULL,
      legal_basis TEXT NOT NULL,
      reason TEXT,
      operation_type TEXT,
      operation_name TEXT,
      document_hash TEXT NOT NULL,
      coordinates TEXT NOT NULL,
      subject_refs TEXT NOT NULL,
      outcome TEXT NOT NULL,
      outcome_code TEXT,
      policy_version TEXT NOT NULL,
      client_address TEXT,
      latency_ms DOUBLE PRECISION NOT NULL,
      previous_hash TEXT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (chain, sequence)
    )`,
    `CREATE INDEX IF NOT EXISTS access_log_records_by_time ON ${table('records')} (occurred_at)`,
    `CREATE INDEX IF NOT EXISTS access_log_records_by_reuser ON ${table('records')} (reuser_id, occurred_at)`,
    `CREATE TABLE IF NOT EXISTS ${table('subjects')} (
      subject_ref TEXT NOT NULL,
      chain TEXT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (subject_ref, chain, sequence)
    )`,
    `CREATE INDEX IF NOT EXISTS access_log_subjects_by_record ON ${table('subjects')} (chain, sequence)`,
    `CREATE TABLE IF NOT EXISTS ${table('checkpoints')} (
      chain TEXT NOT NULL,
      sequence BIGINT NOT NULL,
      hash TEXT NOT NULL,
      kind TEXT NOT NULL,
      signed_at TEXT NOT NULL,
      signature TEXT NOT NULL,
      PRIMARY KEY (chain, sequence)
    )`,
  ];
}
