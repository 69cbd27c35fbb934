import type { AccessLogLocation, AccessLogStore, AccessLogStoreOptions } from './model.js';
import { openPostgresDatabase } from './postgresDatabase.js';
import { openSqliteDatabase } from './sqliteDatabase.js';
import { createAccessLogStore, DEFAULT_CHECKPOINT_EVERY } from './store.js';

/** The chain every replica appends to unless told otherwise. */
export const DEFAULT_CHAIN = 'main';

/**
 * Opens the access log, creating its tables when missing. Throws
 * `AccessLogUnavailableError` when the store cannot be reached.
 */
export async function openAccessLogStore(options: AccessLogStoreOptions): Promise<AccessLogStore> {
  const db =
    options.kind === 'sqlite'
      ? await openSqliteDatabase(options.dataDir)
      : await openPostgresDatabase(options.url, options.schema ?? 'public');
  try {
    return createAccessLogStore(db, {
      checkpointKey: options.checkpointKey,
      checkpointEvery: options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
      chain: options.chain ?? DEFAULT_CHAIN,
      now: options.now ?? (() => new Date()),
    });
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Where a deployment keeps its log: beside the key registry, in PostgreSQL
 * when a database URL is configured, else `<dataDir>/access-log.sqlite`.
 */
export function accessLogStoreFor(config: {
  dataDir: string;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
}): AccessLogLocation {
  if (config.databaseUrl === undefined) return { kind: 'sqlite', dataDir: config.dataDir };
  return {
    kind: 'postgres',
    url: config.databaseUrl,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
  };
}
