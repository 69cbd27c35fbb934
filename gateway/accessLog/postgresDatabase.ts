import { Pool, type PoolClient } from 'pg';
import { describePostgresUrl } from '../keyRegistry/index.js';
import { AccessLogError, AccessLogUnavailableError, messageOf } from './errors.js';
import {
  createTableStatements,
  type LogDatabase,
  type LogTable,
  type SqlExecutor,
  type SqlValue,
  TABLE_NAMES,
} from './logDatabase.js';

/** Schema names are interpolated into statements, so only plain identifiers are accepted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** PostgreSQL accepts at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

/** `?` placeholders, as in the SQLite statements, become `$1`, `$2`... */
function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    index += 1;
    return `$${index}`;
  });
}

function executorOn(client: Pool | PoolClient): SqlExecutor {
  return {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(numberPlaceholders(sql), [...params]);
      return result.rows as Row[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(numberPlaceholders(sql), [...params]);
      return result.rowCount ?? 0;
    },
    async insert(table, columns, rows) {
      // Multi-row VALUES: one round trip per chunk rather than per record.
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const tuples = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
        await client.query(
          numberPlaceholders(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples}`),
          chunk.flat(),
        );
      }
    },
  };
}

/**
 * The log in a PostgreSQL schema shared by every gateway replica.
 *
 * Concurrency choice: one chain for all replicas, its head row locked with
 * `SELECT ... FOR UPDATE` for the length of an append. Rejected alternative:
 * one chain per replica, which never waits but lets a whole chain vanish
 * unnoticed (replicas come and go, so nothing says which chains should
 * exist) and makes a person's history span many chains. The lock is cheap
 * because of group commit: a replica holds it once per batch (up to
 * `maxBatch` records, one multi-row insert and one commit), so replicas
 * take turns per batch, not per request; under load batches grow instead
 * of queues. The one total order also makes any deleted row a sequence gap.
 */
export async function openPostgresDatabase(url: string, schema: string): Promise<LogDatabase> {
  if (!SCHEMA_NAME.test(schema)) {
    throw new AccessLogError(
      'ARGUMENT_INVALID',
      `the PostgreSQL schema "${schema}" must be a plain lower-case identifier (letters, digits, _)`,
    );
  }
  const quotedSchema = `"${schema}"`;
  const table = (name: LogTable) => `${quotedSchema}.${TABLE_NAMES[name]}`;
  const pool = new Pool({
    connectionString: url,
    max: 4,
    application_name: 'passerelle-access-log',
  });
  // An idle connection dropped by the server: the next query gets a fresh one.
  pool.on('error', () => undefined);

  async function inTransaction<T>(
    begin: string,
    work: (tx: SqlExecutor) => Promise<T>,
  ): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await work(executorOn(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  try {
    await inTransaction('BEGIN', async (tx) => {
      // Replicas starting together on an empty schema would race on CREATE.
      await tx.all('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `passerelle_access_log:${schema}`,
      ]);
      await tx.run(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
      for (const statement of createTableStatements(table)) await tx.run(statement);
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new AccessLogUnavailableError(
      `cannot open the access log in ${describePostgresUrl(url)}, schema ${schema}: ${messageOf(error)}`,
      { cause: error },
    );
  }

  return {
    table,
    lockClause: ' FOR UPDATE',
    write: (work) =>
      inTransaction('BEGIN', async (tx) => {
        // Durable at COMMIT even if the server's default was relaxed.
        await tx.run('SET LOCAL synchronous_commit = on');
        return work(tx);
      }),
    snapshot: (work) => inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work),
    close: () => pool.end(),
  };
}
