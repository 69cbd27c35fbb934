import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DataHolderName } from './dataHolder.js';
import { holderAccessLogPath, holderSubjectReferenceKeyPath } from './storeLayout.js';
import { createSubjectReferencer, ensureSubjectReferenceKey } from './subjectReferenceKey.js';

/**
 * The data holder's own copy of the access log (DOMAIN.md T2): one record
 * per request the gateway sent it for a purpose, written durably before the
 * holder's response leaves. It is linked to the gateway's record of the same
 * request by `requestId` (the gateway's access-log key) and `traceId`.
 *
 * Persons appear only as subject references: HMAC-SHA-256 of their id with
 * the holder's own key (`<dataDir>/keys/<holder>-subject-reference.key`).
 */
export type HolderAccessRecord = Readonly<{
  /** When the request reached the holder, ISO 8601 UTC with milliseconds. */
  timestamp: string;
  holder: DataHolderName;
  traceId: string;
  /** The gateway's request id: its own access record has the same. */
  requestId: string;
  reuserId: string;
  /** The person or service inside the re-user who asked. */
  agent: string;
  purposeId: string;
  /** File or case reference, when the request gave one. */
  reason: string | undefined;
  /** The policy version the gateway checked the request against. */
  policyVersion: string;
  /**
   * The coordinates of the holder's schema that resolved for the request,
   * sorted (`Person.familyName`). Federation's own fields and introspection
   * are left out: they carry no personal data.
   */
  coordinates: readonly string[];
  /** Subject references of the persons served, sorted. */
  subjectRefs: readonly string[];
  /**
   * `served`: the request resolved without error. `refused`: it got at least
   * one error, whose code (the first one's) is kept; `coordinates` and
   * `subjectRefs` still say what did leave beside the refusal.
   */
  outcome: Readonly<{ status: 'served' } | { status: 'refused'; code: string }>;
}>;

/** What the kit hands the log: person ids, which the log turns into references. */
export type HolderAccessEntry = Omit<HolderAccessRecord, 'subjectRefs'> & {
  subjects: readonly string[];
};

/** A record as stored: its place in the chain and the hashes linking it to the previous one. */
export type ChainedHolderAccessRecord = HolderAccessRecord & {
  sequence: number;
  previousHash: string;
  hash: string;
};

/** The client-visible code when the log cannot be written: the holder answers 503 with no data. */
export const HOLDER_ACCESS_LOG_UNAVAILABLE = 'HOLDER_ACCESS_LOG_UNAVAILABLE';

export class HolderAccessLogUnavailableError extends Error {
  override readonly name = 'HolderAccessLogUnavailableError';
  readonly code = HOLDER_ACCESS_LOG_UNAVAILABLE;
}

/** The open log of one holder. */
export type HolderAccessLog = {
  readonly path: string;
  /**
   * Appends a record; resolves once it is committed durably (fsync'd).
   * Records appended while a commit is pending share the next one (group
   * commit). Rejects with `HolderAccessLogUnavailableError` otherwise.
   */
  append(entry: HolderAccessEntry): Promise<void>;
  /** Commits what is pending, then closes; later appends reject. */
  close(): void;
};

/** The `previousHash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;

const TABLE = 'holder_access_records';
const CUTS_TABLE = 'holder_access_cuts';

const CREATE_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
    sequence INTEGER PRIMARY KEY,
    timestamp TEXT NOT NULL,
    holder TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    reuser_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    purpose_id TEXT NOT NULL,
    reason TEXT,
    policy_version TEXT NOT NULL,
    coordinates TEXT NOT NULL,
    subject_refs TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_code TEXT,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`,
  // Where purges cut the chain: the last purged record's sequence and hash,
  // from which verification starts again.
  `CREATE TABLE IF NOT EXISTS ${CUTS_TABLE} (
    sequence INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    cut_at TEXT NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_trace ON ${TABLE} (trace_id)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_request ON ${TABLE} (request_id)`,
];

const COLUMNS = [
  'sequence',
  'timestamp',
  'holder',
  'trace_id',
  'request_id',
  'reuser_id',
  'agent',
  'purpose_id',
  'reason',
  'policy_version',
  'coordinates',
  'subject_refs',
  'outcome',
  'outcome_code',
  'previous_hash',
  'hash',
] as const;

type Row = {
  sequence: number;
  timestamp: string;
  holder: string;
  trace_id: string;
  request_id: string;
  reuser_id: string;
  agent: string;
  purpose_id: string;
  reason: string | null;
  policy_version: string;
  coordinates: string;
  subject_refs: string;
  outcome: string;
  outcome_code: string | null;
  previous_hash: string;
  hash: string;
};

/**
 * The canonical form a record's hash covers: a JSON array in fixed order,
 * absent fields as null, behind a version tag. It includes the sequence and
 * the previous record's hash, so that editing, removing or reordering a
 * record breaks every hash after it.
 */
export function holderRecordHash(
  record: HolderAccessRecord,
  sequence: number,
  previousHash: string,
): string {
  const canonical = JSON.stringify([
    'passerelle-holder-access-record/1',
    sequence,
    previousHash,
    record.timestamp,
    record.holder,
    record.traceId,
    record.requestId,
    record.reuserId,
    record.agent,
    record.purposeId,
    record.reason ?? null,
    record.policyVersion,
    record.coordinates,
    record.subjectRefs,
    record.outcome.status,
    record.outcome.status === 'refused' ? record.outcome.code : null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function toRow(record: HolderAccessRecord, sequence: number, previousHash: string): unknown[] {
  return [
    sequence,
    record.timestamp,
    record.holder,
    record.traceId,
    record.requestId,
    record.reuserId,
    record.agent,
    record.purposeId,
    record.reason ?? null,
    record.policyVersion,
    JSON.stringify(record.coordinates),
    JSON.stringify(record.subjectRefs),
    record.outcome.status,
    record.outcome.status === 'refused' ? record.outcome.code : null,
    previousHash,
    holderRecordHash(record, sequence, previousHash),
  ];
}

/** Reads a stored row back; text that does not parse reads as a value no hash matches. */
function fromRow(row: Row): ChainedHolderAccessRecord {
  const list = (text: string): string[] => {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.map(String) : [text];
    } catch {
      return [text];
    }
  };
  return {
    sequence: row.sequence,
    timestamp: row.timestamp,
    holder: row.holder as DataHolderName,
    traceId: row.trace_id,
    requestId: row.request_id,
    reuserId: row.reuser_id,
    agent: row.agent,
    purposeId: row.purpose_id,
    reason: row.reason ?? undefined,
    policyVersion: row.policy_version,
    coordinates: list(row.coordinates),
    subjectRefs: list(row.subject_refs),
    outcome:
      row.outcome === 'served'
        ? { status: 'served' }
        : { status: 'refused', code: row.outcome_code ?? '' },
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

function openDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // WAL: readers (verify, search) beside the writer. FULL: a commit is
  // fsync'd before it returns, so "appended" means "durable".
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.transaction(() => {
    for (const statement of CREATE_STATEMENTS) db.prepare(statement).run();
  }).immediate();
  return db;
}

type Pending = { record: HolderAccessRecord; resolve: () => void; reject: (error: Error) => void };

export type HolderAccessLogOptions = {
  dataDir: string;
  holder: DataHolderName;
};

/**
 * Opens (creating if needed) the holder's log in its data folder, and its
 * subject reference key (generated at the first start). Throws
 * `HolderAccessLogUnavailableError` when either cannot be opened: a holder
 * that cannot log must not serve.
 */
export async function openHolderAccessLog(
  options: HolderAccessLogOptions,
): Promise<HolderAccessLog> {
  const path = holderAccessLogPath(options.dataDir, options.holder);
  let db: Database.Database;
  let referencer: (personId: string) => string;
  try {
    referencer = createSubjectReferencer(
      await ensureSubjectReferenceKey(
        holderSubjectReferenceKeyPath(options.dataDir, options.holder),
      ),
    );
    db = openDatabase(path);
  } catch (error) {
    throw new HolderAccessLogUnavailableError(
      `cannot open the access log of data holder ${options.holder} at ${path}: ${String(error)}`,
      { cause: error },
    );
  }
  const last = db.prepare(`SELECT sequence, hash FROM ${TABLE} ORDER BY sequence DESC LIMIT 1`);
  // A purge may have emptied the table: the chain then goes on from its cut.
  const lastCut = db.prepare(
    `SELECT sequence, hash FROM ${CUTS_TABLE} ORDER BY sequence DESC LIMIT 1`,
  );
  const insert = db.prepare(
    `INSERT INTO ${TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
  );
  // The chain's head is read inside the write transaction, not cached: the
  // lock makes it right even if another process appends to the same file.
  const appendAll = db.transaction((records: readonly HolderAccessRecord[]) => {
    const head = (last.get() ?? lastCut.get()) as { sequence: number; hash: string } | undefined;
    let sequence = head?.sequence ?? 0;
    let previousHash = head?.hash ?? GENESIS_HASH;
    for (const record of records) {
      sequence += 1;
      const row = toRow(record, sequence, previousHash);
      insert.run(...row);
      previousHash = row[row.length - 1] as string;
    }
  });

  let pending: Pending[] = [];
  let scheduled = false;
  let closed = false;
  // Group commit: requests that finish in the same turn of the event loop
  // share one transaction, hence one fsync.
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      appendAll.immediate(batch.map((item) => item.record));
    } catch (error) {
      const failure = new HolderAccessLogUnavailableError(
        `cannot write the access log of data holder ${options.holder} at ${path}: ${String(error)}`,
        { cause: error },
      );
      for (const item of batch) item.reject(failure);
      return;
    }
    for (const item of batch) item.resolve();
  };

  return {
    path,
    append(entry) {
      if (closed) {
        return Promise.reject(
          new HolderAccessLogUnavailableError(
            `the access log of data holder ${options.holder} is closed`,
          ),
        );
      }
      const { subjects, ...fields } = entry;
      const record: HolderAccessRecord = {
        ...fields,
        coordinates: [...new Set(fields.coordinates)].sort(),
        subjectRefs: [...new Set(subjects.map(referencer))].sort(),
      };
      return new Promise<void>((resolve, reject) => {
        pending.push({ record, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    close() {
      if (closed) return;
      flush();
      closed = true;
      db.close();
    },
  };
}

/** Opens a log file read-only, for verify and search. */
function withReader<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db.transaction(() => read(db))();
  } finally {
    db.close();
  }
}

export type HolderAccessLogVerification =
  | Readonly<{ ok: true; records: number }>
  | Readonly<{
      ok: false;
      /** Records checked before the first problem. */
      records: number;
      /** The sequence number of the first record that does not verify. */
      sequence: number;
      problem: string;
    }>;

/**
 * Walks the chain from the first record (or from the last purge's cut): the
 * sequence numbers must follow one another from 1 (or the cut's next), each record must name the previous one's hash, and
 * its own hash must match its content. A row edited, removed or inserted
 * shows as the first record that does not verify. (Records cut off the end
 * leave no trace in the chain itself; the gateway's log of the same requests
 * shows them.)
 */
export function verifyHolderAccessLog(
  options: HolderAccessLogOptions,
): HolderAccessLogVerification {
  return withReader(holderAccessLogPath(options.dataDir, options.holder), (db) => {
    // After a purge the chain starts again from the cut the purge recorded.
    const cut = db
      .prepare(`SELECT sequence, hash FROM ${CUTS_TABLE} ORDER BY sequence DESC LIMIT 1`)
      .get() as { sequence: number; hash: string } | undefined;
    let previousHash = cut?.hash ?? GENESIS_HASH;
    let expected = (cut?.sequence ?? 0) + 1;
    let checked = 0;
    for (const row of db
      .prepare(`SELECT * FROM ${TABLE} ORDER BY sequence`)
      .iterate() as IterableIterator<Row>) {
      const record = fromRow(row);
      const fail = (problem: string): HolderAccessLogVerification => ({
        ok: false,
        records: checked,
        sequence: record.sequence,
        problem,
      });
      if (record.sequence !== expected) return fail(`expected record ${expected} here`);
      if (record.previousHash !== previousHash) return fail("the previous record's hash differs");
      if (holderRecordHash(record, record.sequence, record.previousHash) !== record.hash) {
        return fail('its content does not match its hash');
      }
      previousHash = record.hash;
      expected += 1;
      checked += 1;
    }
    return { ok: true, records: checked };
  });
}

/** The default retention of a holder's log, and the shortest (DOMAIN.md T3: 6 months to a year). */
export const HOLDER_LOG_RETENTION_DAYS = 365;
export const MIN_HOLDER_LOG_RETENTION_DAYS = 183;

/**
 * Deletes the records older than `before` from the start of the chain, and
 * records the cut (the last deleted record's sequence and hash) so that the
 * rest still verifies. Refused when the log does not verify: an alteration
 * is never purged away. Unlike the gateway's log, the cut is not signed
 * (a data holder has no signing key): deleting records at the start and
 * forging the cut is the one alteration this log cannot show; the gateway's
 * log of the same requests does.
 */
export function purgeHolderAccessLog(options: HolderAccessLogOptions & { before: Date }): {
  purged: number;
} {
  const verification = verifyHolderAccessLog(options);
  if (!verification.ok) {
    throw new HolderAccessLogUnavailableError(
      `the access log of data holder ${options.holder} does not verify (record ${verification.sequence}: ${verification.problem}); not purged`,
    );
  }
  const db = openDatabase(holderAccessLogPath(options.dataDir, options.holder));
  try {
    return db
      .transaction(() => {
        const cutoff = options.before.toISOString();
        // Only a prefix of the chain goes: the first record young enough stops the cut.
        const keep = db
          .prepare(`SELECT min(sequence) AS sequence FROM ${TABLE} WHERE timestamp >= ?`)
          .get(cutoff) as { sequence: number | null };
        const last = db
          .prepare(
            `SELECT sequence, hash FROM ${TABLE} WHERE sequence < ? ORDER BY sequence DESC LIMIT 1`,
          )
          .get(keep.sequence ?? Number.MAX_SAFE_INTEGER) as
          | { sequence: number; hash: string }
          | undefined;
        if (last === undefined) return { purged: 0 };
        db.prepare(
          `INSERT OR REPLACE INTO ${CUTS_TABLE} (sequence, hash, cut_at) VALUES (?, ?, ?)`,
        ).run(last.sequence, last.hash, new Date().toISOString());
        const purged = db
          .prepare(`DELETE FROM ${TABLE} WHERE sequence <= ?`)
          .run(last.sequence).changes;
        return { purged };
      })
      .immediate();
  } finally {
    db.close();
  }
}

export type HolderAccessLogQuery = HolderAccessLogOptions & {
  traceId?: string | undefined;
  requestId?: string | undefined;
  /** Records that served this person (hashed with the holder's key; never stored). */
  personId?: string | undefined;
  /** At most this many, the latest first; 100 by default. */
  limit?: number | undefined;
};

/** The holder's records matching every filter given, the latest first. */
export async function searchHolderAccessLog(
  query: HolderAccessLogQuery,
): Promise<ChainedHolderAccessRecord[]> {
  const subjectRef =
    query.personId === undefined
      ? undefined
      : createSubjectReferencer(
          await ensureSubjectReferenceKey(
            holderSubjectReferenceKeyPath(query.dataDir, query.holder),
          ),
        )(query.personId);
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (query.traceId !== undefined) {
    conditions.push('trace_id = ?');
    params.push(query.traceId);
  }
  if (query.requestId !== undefined) {
    conditions.push('request_id = ?');
    params.push(query.requestId);
  }
  if (subjectRef !== undefined) {
    conditions.push('instr(subject_refs, ?) > 0');
    params.push(`"${subjectRef}"`);
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  return withReader(holderAccessLogPath(query.dataDir, query.holder), (db) =>
    (
      db
        .prepare(`SELECT * FROM ${TABLE} ${where} ORDER BY sequence DESC LIMIT ?`)
        .all(...params, query.limit ?? 100) as Row[]
    ).map(fromRow),
  );
}
