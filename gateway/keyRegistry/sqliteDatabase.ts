import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { KeyRegistryError } from './errors.js';
import {
  createTableStatements,
  type SqlDatabase,
  type SqlExecutor,
  type SqlValue,
  TABLE_NAMES,
} from './sqlDatabase.js';

export const SQLITE_FILE_NAME = 'registry.sqlite';

/** How often a process looks for commits made by the others (DOMAIN.md S3: within a second). */
const POLL_INTERVAL_MS = 250;
/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * One queue per file for the connections of this process. Its statements
 * are synchronous but a transaction spans awaits: were a second connection
 * of the same process to ask for the write lock meanwhile, its busy wait
 * would block the event loop that the first needs to commit, until the
 * timeout. Other processes have their own event loop; the busy timeout
 * serves them.
 */
type FileQueue = { tail: Promise<unknown>; connections: number };
const fileQueues = new Map<string, FileQueue>();

function joinFileQueue(path: string): FileQueue {
  const queue = fileQueues.get(path) ?? { tail: Promise.resolve(), connections: 0 };
  queue.connections += 1;
  fileQueues.set(path, queue);
  return queue;
}

function leaveFileQueue(path: string): void {
  const queue = fileQueues.get(path);
  if (queue === undefined) return;
  queue.connections -= 1;
  if (queue.connections === 0) fileQueues.delete(path);
}

/**
 * The registry in `<dataDir>/registry.sqlite`. Several gateway processes of
 * one host open the same file: WAL lets readers run beside the writer,
 * `synchronous=FULL` makes a revocation durable once it returns, and the
 * busy timeout makes writers queue instead of failing.
 *
 * better-sqlite3 is synchronous, but a transaction's work is an async
 * function; the file's queue keeps another caller from slipping its
 * statements into a transaction in progress.
 */
export async function openSqliteDatabase(dataDir: string): Promise<SqlDatabase> {
  const path = resolve(dataDir, SQLITE_FILE_NAME);
  let db: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(path);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  } catch (error) {
    throw new KeyRegistryError(
      'STORE_UNAVAILABLE',
      `cannot open the key registry at ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const executor: SqlExecutor = {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      const statement = prepare(sql);
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params) as Row[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).run(...params).changes;
    },
  };

  const queue = joinFileQueue(path);
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.tail.then(work);
    queue.tail = result.catch(() => undefined);
    return result;
  };

  const table = (name: keyof typeof TABLE_NAMES) => TABLE_NAMES[name];
  try {
    await serialised(async () =>
      db
        .transaction(() => {
          for (const statement of createTableStatements(table)) db.prepare(statement).run();
        })
        .immediate(),
    );
  } catch (error) {
    db.close();
    leaveFileQueue(path);
    throw new KeyRegistryError(
      'STORE_UNAVAILABLE',
      `cannot create the key registry's tables in ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  const timers = new Set<NodeJS.Timeout>();
  return {
    table,
    all: (sql, params) => serialised(() => executor.all(sql, params)),
    run: (sql, params) => serialised(() => executor.run(sql, params)),
    transaction: (work) =>
      serialised(async () => {
        prepare('BEGIN IMMEDIATE').run();
        try {
          const result = await work(executor);
          prepare('COMMIT').run();
          return result;
        } catch (error) {
          if (db.inTransaction) prepare('ROLLBACK').run();
          throw error;
        }
      }),
    // Other processes notice the commit through PRAGMA data_version.
    announceKeyChange: async () => undefined,
    watchCommits(signal) {
      // data_version changes when another connection commits: a cheap probe,
      // read before the counter so an idle store costs no table read.
      let version = db.pragma('data_version', { simple: true });
      const timer = setInterval(() => {
        void serialised(async () => {
          if (!db.open) return;
          const current = db.pragma('data_version', { simple: true });
          if (current === version) return;
          version = current;
          signal();
        });
      }, POLL_INTERVAL_MS);
      timer.unref();
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
      };
    },
    close: () =>
      serialised(async () => {
        for (const timer of timers) clearInterval(timer);
        timers.clear();
        if (db.open) {
          db.close();
          leaveFileQueue(path);
        }
      }),
  };
}
