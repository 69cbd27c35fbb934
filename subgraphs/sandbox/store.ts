/**
 * One holder's SQLite file while it is being generated. Internal to the sandbox.
 *
 * The file must come out byte for byte the same for the same input, and fast
 * for a million people. Rows arrive in generation order, which is random with
 * respect to the primary keys (opaque ids), and inserting them directly into
 * the tables costs a random B-tree descent and page split per row. So writers
 * append rows to staging tables in a side file, and `finish()` copies each
 * table in primary-key order (SQLite's sorter), which measured about twice as
 * fast for a million people. Tables are copied in schema order, so referenced
 * rows exist before the rows that reference them and foreign keys are checked.
 *
 * Also: fixed page size, no journal (a crash only loses a temporary folder,
 * see generate.ts), no fsync, one exclusive connection, large transactions,
 * and the indexes built once after the load.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';

type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement;

const PAGE_SIZE = 4096;

interface TableColumn {
  readonly name: string;
  /** Position in the primary key (1-based), 0 when not part of it. */
  readonly pk: number;
}

export class StoreFile {
  readonly db: SqliteDatabase;
  private readonly stagingPath: string;
  private readonly tables: readonly { readonly name: string; readonly withoutRowid: boolean }[];

  constructor(
    readonly path: string,
    schema: string,
    private readonly indexes: string,
    cacheMiB: number,
  ) {
    this.db = new Database(path);
    // page_size only takes effect before the first table is created.
    this.db.pragma(`page_size = ${PAGE_SIZE}`);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma(`cache_size = ${-cacheMiB * 1024}`);
    // Lets the sorter of the final copies use a second core.
    this.db.pragma('threads = 2');
    this.db.exec(schema);

    this.tables = this.db
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table' ORDER BY rowid",
      )
      .all()
      .map(({ name, sql }) => ({ name, withoutRowid: /WITHOUT\s+ROWID\s*;?\s*$/i.test(sql) }));
    this.stagingPath = `${path}.staging`;
    this.db.prepare('ATTACH DATABASE ? AS staging').run(this.stagingPath);
    this.db.pragma('staging.journal_mode = OFF');
    this.db.pragma('staging.synchronous = OFF');
    for (const table of this.tables) {
      // Same columns, no constraints: checked when copied into the real table.
      this.db.exec(
        `CREATE TABLE staging.${table.name} AS SELECT * FROM main.${table.name} WHERE 0`,
      );
    }
    this.db.exec('BEGIN');
  }

  /** Commits the rows written so far and opens the next transaction, so memory stays bounded. */
  checkpoint(): void {
    this.db.exec('COMMIT');
    this.db.exec('BEGIN');
  }

  /** Copies the staged rows in key order, builds the indexes and closes the file. */
  finish(): void {
    this.db.exec('COMMIT');
    this.db.exec('BEGIN');
    for (const table of this.tables) {
      this.db.exec(
        `INSERT INTO main.${table.name} SELECT * FROM staging.${table.name} ORDER BY ${this.copyOrder(table)}`,
      );
    }
    this.db.exec('COMMIT');
    this.db.exec('DETACH DATABASE staging');
    rmSync(this.stagingPath, { force: true });
    if (this.indexes.trim() !== '') this.db.exec(this.indexes);
    this.db.close();
  }

  /** Closes without committing, after a failure; the temporary folder is removed anyway. */
  abandon(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Primary-key order for WITHOUT ROWID tables; insertion order for rowid
   * tables, whose INTEGER PRIMARY KEY is then assigned in that order.
   */
  private copyOrder(table: { readonly name: string; readonly withoutRowid: boolean }): string {
    if (!table.withoutRowid) return 'rowid';
    const columns = this.db
      .prepare<[], TableColumn>(`SELECT name, pk FROM pragma_table_info('${table.name}', 'main')`)
      .all();
    return columns
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => column.name)
      .join(', ');
  }
}
