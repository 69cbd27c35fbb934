import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AccessLogUnavailableError, messageOf } from './errors.js';
import {
  createTableStatements,
  type LogDatabase,
  type LogTable,
  type SqlExecutor,
  type SqlValue,
  TABLE_NAMES,
} from './logDatabase.js';

export const ACCESS_LOG_FILE_NAME = 'access-log.sqlite';

/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * One queue per file for this process's write transactions: better-sqlite3
 * is synchronous but a transaction spans awaits (checkpoint signing), and a
 * second connection of this process asking for the write lock meanwhile
 * would busy-wait on the event loop the first needs to commit. Other
 * processes have their own event loop; the busy timeout serves them.
 */
type FileQueue = { tail: Promise<unknown>; connections: number };
const fileQueues = new Map<string, FileQueue>();

function executorOn(db: Database.Database): SqlExecutor {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).all(...params) as Row[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).run(...params).changes;
    },
    async insert(table, columns, rows) {
      const statement = prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      for (const row of rows) statement.run(...row);
    },
  };
}

/**
 * The log in `<dataDir>/access-log.sqlite`, shared by the gateway processes
 * of one host. WAL lets `verify` and `search` read beside the writer;
 * `synchronous=FULL` makes a commit durable (fsync of the WAL) before the
 * append resolves; the busy timeout makes writers of other processes queue.
 */
export async function openSqliteDatabase(dataDir: string): Promise<LogDatabase> {
  const path = resolve(dataDir, ACCESS_LOG_FILE_NAME);
  let db: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(path);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      for (const statement of createTableStatements((name) => TABLE_NAMES[name])) {
        db.prepare(statement).run();
      }
    }).immediate();
  } catch (error) {
    throw new AccessLogUnavailableError(
      `cannot open the access log at ${path}: ${messageOf(error)}`,
      { cause: error },
    );
  }

  const queue = fileQueues.get(path) ?? { tail: Promise.resolve(), connections: 0 };
  queue.connections += 1;
  fileQueues.set(path, queue);
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.tail.then(work);
    queue.tail = result.catch(() => undefined);
    return result;
  };
  const executor = executorOn(db);

  return {
    table: (name: LogTable) => TABLE_NAMES[name],
    lockClause: '',
    write: (work) =>
      serialised(async () => {
        db.prepare('BEGIN IMMEDIATE').run();
        try {
          const result = await work(executor);
          db.prepare('COMMIT').run();
          return result;
        } catch (error) {
          if (db.inTransaction) db.prepare('ROLLBACK').run();
          throw error;
        }
      }),
    async snapshot(work) {
      // A connection of its own: a long verify must not hold up appends.
      const reader = new Database(path, { readonly: true });
      try {
        reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        reader.prepare('BEGIN').run();
        // The snapshot starts at the first read.
        reader.prepare(`SELECT count(*) FROM ${TABLE_NAMES.chains}`).get();
        const result = await work(executorOn(reader));
        reader.prepare('COMMIT').run();
        return result;
      } finally {
        reader.close();
      }
    },
    close: () =>
      serialised(async () => {
        if (!db.open) return;
        db.close();
        queue.connections -= 1;
        if (queue.connections === 0) fileQueues.delete(path);
      }),
  };
}
