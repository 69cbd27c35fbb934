import DataLoader from 'dataloader';
import type { HolderStore } from './store.js';

export type BatchLoaderSpec<Row, Value> = {
  /**
   * One statement for the whole batch. Its single parameter is a JSON array of
   * keys, to be expanded with `json_each(?)`, e.g.
   * `SELECT ... FROM students WHERE person_id IN (SELECT value FROM json_each(?))`.
   * A fixed statement text (unlike `IN (?, ?, ...)`) stays prepared whatever the batch size.
   */
  sql: string;
  /** The key each returned row belongs to. */
  keyOf: (row: Row) => string;
  /** Builds the value for one key from its rows (possibly none). */
  toValue: (rows: Row[], key: string) => Value;
};

/**
 * A per-request DataLoader that answers N keys with one store query. Create
 * one per request: DataLoader caches, and a cache shared across requests
 * would keep personal data in memory longer than the request needs it.
 */
export function createBatchLoader<Row, Value>(
  store: HolderStore,
  spec: BatchLoaderSpec<Row, Value>,
): DataLoader<string, Value> {
  return new DataLoader<string, Value>(async (keys) => {
    const rows = store.all<Row>(spec.sql, JSON.stringify(keys));
    const rowsByKey = new Map<string, Row[]>();
    for (const row of rows) {
      const key = spec.keyOf(row);
      const bucket = rowsByKey.get(key);
      if (bucket === undefined) rowsByKey.set(key, [row]);
      else bucket.push(row);
    }
    return keys.map((key) => spec.toValue(rowsByKey.get(key) ?? [], key));
  });
}
