import { createHash } from 'node:crypto';
import { Client, Pool, type PoolClient, type QueryConfig } from 'pg';
import { KeyRegistryError } from './errors.js';
import {
  createTableStatements,
  type RegistryTable,
  type SqlDatabase,
  type SqlExecutor,
  type SqlValue,
  TABLE_NAMES,
} from './sqlDatabase.js';

/** One channel for every registry; the payload names the schema that changed. */
const CHANNEL = 'passerelle_key_registry';
/** Fallback when a notification is lost (listening connection down): compare the counter. */
const POLL_INTERVAL_MS = 500;
/** How long to wait before listening again after the listening connection failed. */
const RELISTEN_DELAY_MS = 5_000;

/** Schema names are interpolated into statements, so only plain identifiers are accepted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Where the store is, for messages: never the password. */
export function describePostgresUrl(url: string): string {
  if (!URL.canParse(url)) return 'PostgreSQL (unparsable URL)';
  const parsed = new URL(url);
  return `PostgreSQL ${parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`}${parsed.host}${parsed.pathname}`;
}

/** `?` placeholders, as in the SQLite statements, become `$1`, `$2`... */
function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    index += 1;
    return `$${index}`;
  });
}

/**
 * A statement, prepared once per connection: its name is derived from its
 * text (which includes the schema), so the same text always reuses the same
 * server-side plan and two texts never share a name.
 */
function preparedQuery(sql: string, params: readonly SqlValue[]): QueryConfig {
  const text = numberPlaceholders(sql);
  const name = `passerelle_kr_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return { name, text, values: [...params] };
}

function executorOn(client: Pool | PoolClient): SqlExecutor {
  return {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(preparedQuery(sql, params));
      return result.rows as Row[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(preparedQuery(sql, params));
      return result.rowCount ?? 0;
    },
  };
}

/**
 * The registry in a PostgreSQL schema shared by every gateway replica.
 * Key changes are announced with NOTIFY when their transaction commits;
 * each replica LISTENs on a dedicated connection and also polls the change
 * counter, so a lost connection delays a revocation by half a second, not
 * forever.
 */
export async function openPostgresDatabase(
  url: string,
  schema: string,
  onError: (error: unknown) => void,
): Promise<SqlDatabase> {
  if (!SCHEMA_NAME.test(schema)) {
    throw new KeyRegistryError(
      'ARGUMENT_INVALID',
      `the PostgreSQL schema "${schema}" must be a plain lower-case identifier (letters, digits, _)`,
    );
  }
  const quotedSchema = `"${schema}"`;
  const table = (name: RegistryTable) => `${quotedSchema}.${TABLE_NAMES[name]}`;
  const pool = new Pool({
    connectionString: url,
    max: 4,
    application_name: 'passerelle-key-registry',
  });
  pool.on('error', onError);
  const executor = executorOn(pool);

  async function transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
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
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Replicas starting together on an empty schema would race on CREATE.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${CHANNEL}:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
      for (const statement of createTableStatements(table)) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new KeyRegistryError(
      'STORE_UNAVAILABLE',
      `cannot open the key registry in ${describePostgresUrl(url)}, schema ${schema}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  const stops = new Set<() => Promise<void>>();
  return {
    table,
    all: executor.all,
    run: executor.run,
    transaction,
    async announceKeyChange(tx) {
      await tx.all('SELECT pg_notify(?, ?)', [CHANNEL, schema]);
    },
    watchCommits(signal) {
      let stopped = false;
      let listener: Client | undefined;
      let relistenAt = 0;
      const listen = async () => {
        relistenAt = Date.now() + RELISTEN_DELAY_MS;
        const client = new Client({
          connectionString: url,
          application_name: 'passerelle-key-registry-listener',
        });
        client.on('error', (error) => {
          onError(error);
          if (listener === client) listener = undefined;
          void client.end().catch(() => undefined);
        });
        client.on('notification', (message) => {
          if (message.channel === CHANNEL && message.payload === schema) signal();
        });
        try {
          await client.connect();
          await client.query(`LISTEN ${CHANNEL}`);
        } catch (error) {
          onError(error);
          await client.end().catch(() => undefined);
          return;
        }
        if (stopped) {
          await client.end().catch(() => undefined);
          return;
        }
        listener = client;
        // Anything committed while the listener was connecting is caught here.
        signal();
      };
      void listen();
      const timer = setInterval(() => {
        if (listener === undefined && Date.now() >= relistenAt) void listen();
        signal();
      }, POLL_INTERVAL_MS);
      timer.unref();
      const stop = async () => {
        stopped = true;
        clearInterval(timer);
        stops.delete(stop);
        const client = listener;
        listener = undefined;
        await client?.end().catch(() => undefined);
      };
      stops.add(stop);
      return () => void stop();
    },
    async close() {
      await Promise.all([...stops].map((stop) => stop()));
      await pool.end();
    },
  };
}
