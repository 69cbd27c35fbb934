import Database from 'better-sqlite3';

/**
 * Read access to a data holder's store. Every statement goes through `all` or
 * `get`, so the store can count them: batching is a contract (one query per
 * entity batch), and the tests hold us to it through `queryCount`.
 */
export type HolderStore = {
  readonly path: string;
  /** Runs a prepared, parameterised statement and returns every row. */
  all<Row>(sql: string, ...params: unknown[]): Row[];
  /** Runs a prepared, parameterised statement and returns the first row. */
  get<Row>(sql: string, ...params: unknown[]): Row | undefined;
  /** Statements executed since the store was opened. */
  readonly queryCount: number;
  close(): void;
};

export class HolderStoreUnavailableError extends Error {
  override readonly name = 'HolderStoreUnavailableError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot open the data holder store at ${path}: ${String(cause)}`, { cause });
  }
}

/** Opens a holder's SQLite file read-only; the subgraph never writes to it. */
export function openHolderStore(path: string): HolderStore {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new HolderStoreUnavailableError(path, error);
  }
  // Statements are prepared once and reused: preparing is a large share of a point lookup's cost.
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  let queryCount = 0;
  return {
    path,
    all<Row>(sql: string, ...params: unknown[]): Row[] {
      queryCount += 1;
      return prepare(sql).all(...params) as Row[];
    },
    get<Row>(sql: string, ...params: unknown[]): Row | undefined {
      queryCount += 1;
      return prepare(sql).get(...params) as Row | undefined;
    },
    get queryCount() {
      return queryCount;
    },
    close() {
      db.close();
    },
  };
}
