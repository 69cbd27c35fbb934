import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';

/** One quota: a re-user under a purpose on a calendar day (Europe/Paris). */
export type QuotaKey = Readonly<{ reuser: string; purpose: string; day: string }>;

export type QuotaDecision = Readonly<{
  /** True when the subjects were within the quota and are now counted. */
  admitted: boolean;
  /** Distinct subjects counted for the key before this request. */
  counted: number;
  /** Subjects of this request not counted yet today. */
  added: number;
}>;

/**
 * The distinct subjects read per (re-user, purpose, day), stored durably as
 * subject references (never person ids). `admit` is atomic: it counts the
 * request's new subjects and records them only if the total stays within
 * the quota, so two requests racing (in one or several gateways) cannot
 * together exceed it.
 */
export type DailySubjectStore = {
  admit(key: QuotaKey, subjectRefs: readonly string[], quota: number): Promise<QuotaDecision>;
  close(): Promise<void>;
};

export type DailySubjectStoreOptions =
  | { kind: 'sqlite'; dataDir: string }
  | { kind: 'postgres'; url: string; schema?: string };

export const SUBJECTS_SQLITE_FILE = 'daily-subjects.sqlite';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDailySubjectStore(
  options: DailySubjectStoreOptions,
): Promise<DailySubjectStore> {
  return options.kind === 'sqlite'
    ? openSqlite(options.dataDir)
    : openPostgres(options.url, options.schema ?? 'public');
}

function openSqlite(dataDir: string): DailySubjectStore {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, SUBJECTS_SQLITE_FILE));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.prepare(
    `CREATE TABLE IF NOT EXISTS daily_subjects (
       reuser TEXT NOT NULL, purpose TEXT NOT NULL, day TEXT NOT NULL, subject_ref TEXT NOT NULL,
       PRIMARY KEY (reuser, purpose, day, subject_ref)
     ) WITHOUT ROWID`,
  ).run();
  const count = db.prepare(
    'SELECT count(*) AS n FROM daily_subjects WHERE reuser = ? AND purpose = ? AND day = ?',
  );
  const known = db.prepare(
    'SELECT 1 FROM daily_subjects WHERE reuser = ? AND purpose = ? AND day = ? AND subject_ref = ?',
  );
  const insert = db.prepare(
    'INSERT OR IGNORE INTO daily_subjects (reuser, purpose, day, subject_ref) VALUES (?, ?, ?, ?)',
  );
  // IMMEDIATE: the write lock is taken before counting, so another process
  // cannot count the same day between our count and our insert.
  const admit = db.transaction(
    (key: QuotaKey, refs: readonly string[], quota: number): QuotaDecision => {
      const counted = (count.get(key.reuser, key.purpose, key.day) as { n: number }).n;
      const fresh = refs.filter(
        (ref) => known.get(key.reuser, key.purpose, key.day, ref) === undefined,
      );
      if (counted + fresh.length > quota) {
        return { admitted: false, counted, added: fresh.length };
      }
      for (const ref of fresh) insert.run(key.reuser, key.purpose, key.day, ref);
      return { admitted: true, counted, added: fresh.length };
    },
  );
  return {
    async admit(key, refs, quota) {
      return admit.immediate(key, [...new Set(refs)], quota);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

async function openPostgres(url: string, schema: string): Promise<DailySubjectStore> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const pool = new Pool({ connectionString: url, max: 4 });
  const table = `"${schema}".daily_subjects`;
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         reuser TEXT NOT NULL, purpose TEXT NOT NULL, day TEXT NOT NULL, subject_ref TEXT NOT NULL,
         PRIMARY KEY (reuser, purpose, day, subject_ref)
       )`,
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    async admit(key, refs, quota) {
      const unique = [...new Set(refs)];
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // One quota at a time across every replica: a transaction-scoped
        // advisory lock on the quota's key, released at commit.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `${schema}|${key.reuser}|${key.purpose}|${key.day}`,
        ]);
        const counted = Number(
          (
            await client.query<{ n: string }>(
              `SELECT count(*) AS n FROM ${table} WHERE reuser = $1 AND purpose = $2 AND day = $3`,
              [key.reuser, key.purpose, key.day],
            )
          ).rows[0]?.n ?? 0,
        );
        const knownRows = await client.query<{ subject_ref: string }>(
          `SELECT subject_ref FROM ${table} WHERE reuser = $1 AND purpose = $2 AND day = $3 AND subject_ref = ANY($4)`,
          [key.reuser, key.purpose, key.day, unique],
        );
        const known = new Set(knownRows.rows.map((row) => row.subject_ref));
        const fresh = unique.filter((ref) => !known.has(ref));
        if (counted + fresh.length > quota) {
          await client.query('ROLLBACK');
          return { admitted: false, counted, added: fresh.length };
        }
        if (fresh.length > 0) {
          await client.query(
            `INSERT INTO ${table} (reuser, purpose, day, subject_ref)
             SELECT $1, $2, $3, unnest($4::text[]) ON CONFLICT DO NOTHING`,
            [key.reuser, key.purpose, key.day, fresh],
          );
        }
        await client.query('COMMIT');
        return { admitted: true, counted, added: fresh.length };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
