import type { KeyRegistry, KeyRegistryOptions, KeyStoreOptions } from './model.js';
import { openPostgresDatabase } from './postgresDatabase.js';
import { createKeyRegistry } from './registry.js';
import { openSqliteDatabase } from './sqliteDatabase.js';

function warn(error: unknown): void {
  process.emitWarning(
    `key registry: ${error instanceof Error ? error.message : String(error)}`,
    'PasserelleKeyRegistryWarning',
  );
}

/**
 * Opens the registry, creating its tables when missing. Throws
 * `KeyRegistryError` (`STORE_UNAVAILABLE`) when the store cannot be reached.
 */
export async function openKeyRegistry(options: KeyRegistryOptions): Promise<KeyRegistry> {
  const onError = options.onError ?? warn;
  const db =
    options.kind === 'sqlite'
      ? await openSqliteDatabase(options.dataDir)
      : await openPostgresDatabase(options.url, options.schema ?? 'public', onError);
  try {
    return await createKeyRegistry(db, { now: options.now ?? (() => new Date()), onError });
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** The store a deployment uses: PostgreSQL when a database URL is configured, else SQLite in the data folder. */
export function keyStoreFor(config: {
  dataDir: string;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
}): KeyStoreOptions {
  if (config.databaseUrl === undefined) return { kind: 'sqlite', dataDir: config.dataDir };
  return {
    kind: 'postgres',
    url: config.databaseUrl,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
  };
}
