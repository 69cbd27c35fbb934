import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * PostgreSQL for tests (DECISIONS.md section 5): the server named by
 * PASSERELLE_TEST_POSTGRES_URL, each run in its own schema. Without the
 * variable, PostgreSQL suites are skipped and say why.
 */
export const TEST_POSTGRES_URL: string | undefined =
  process.env.PASSERELLE_TEST_POSTGRES_URL === ''
    ? undefined
    : process.env.PASSERELLE_TEST_POSTGRES_URL;

export const POSTGRES_SKIP_REASON =
  'PASSERELLE_TEST_POSTGRES_URL is unset (e.g. postgres://postgres@127.0.0.1:5432/test)';

/** Prints why a PostgreSQL suite does not run; test files call it once. */
export function reportPostgresSkipped(suite: string): void {
  if (TEST_POSTGRES_URL === undefined) {
    process.stderr.write(`skipped: ${suite} on PostgreSQL: ${POSTGRES_SKIP_REASON}\n`);
  }
}

/** A schema name no other run uses. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** Rows of `schema.table`, counted with a parameter-free statement on a validated name. */
export async function countRows(url: string, schema: string, table: string): Promise<number> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema) || !/^[a-z_][a-z0-9_]*$/.test(table)) {
    throw new Error('plain identifiers only');
  }
  return withClient(url, async (client) => {
    const result = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM "${schema}"."${table}"`,
    );
    return Number(result.rows[0]?.count ?? 0);
  });
}
