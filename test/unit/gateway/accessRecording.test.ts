import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessLogStore,
  accessLogStoreFor,
  createSubjectReferencer,
  documentHashOf,
  ensureCheckpointKey,
  openAccessLogStore,
} from '../../../gateway/accessLog/index.js';
import { type GatewayConfig, parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { asReuser, registerTestKeys, TEST_AUDIENCE } from '../../support/asReuser.js';
import { createPolicyFixture } from '../../support/policyFixture.js';
import {
  dropSchema,
  POSTGRES_SKIP_REASON,
  reportPostgresSkipped,
  TEST_POSTGRES_URL,
  uniqueSchemaName,
} from '../../support/postgres.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  type RecordingSubgraph,
  startCivilStatus,
  startFamilyBenefits,
} from './purposeSubgraphs.js';
import '../../support/context.js';

// The access log through the running gateway (DOMAIN.md T1, DESIGN.md "no
// log, no data"): one record per request whatever its outcome, committed
// before the response leaves; a store that cannot take it means 503 and no
// data; a gateway killed under load has a record for every response a
// client received, and the chain still verifies.

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const QUERY = '{ person(id: "1") { familyName birthYear } }';

let civilStatus: RecordingSubgraph;
let familyBenefits: RecordingSubgraph;
const REUSER = 'commune-a';
const policies = createPolicyFixture({
  purposes: [
    {
      id: 'identity-check',
      holders: ['civil-status'],
      grants: {
        'Query.person': {},
        'Person.familyName': {},
        'Person.birthDate': { transform: 'year' },
      },
      requiredClaims: ['agent'],
    },
  ],
  reusers: [{ id: REUSER, purposes: [{ purpose: 'identity-check' }] }],
});
const folders: string[] = [];

beforeAll(async () => {
  [civilStatus, familyBenefits] = await Promise.all([startCivilStatus(), startFamilyBenefits()]);
});

afterAll(async () => {
  await Promise.all([civilStatus?.stop(), familyBenefits?.stop()]);
  policies.remove();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function environment(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PASSERELLE_PORT: '0',
    PASSERELLE_DATA_DIR: dataDir,
    PASSERELLE_SUBGRAPHS: `civil-status=${civilStatus.url},family-benefits=${familyBenefits.url}`,
    PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
    PASSERELLE_LOG_LEVEL: 'silent',
    PASSERELLE_POLICIES_DIR: policies.dir,
    PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
    PASSERELLE_AS_OF: '2026-11-15',
    ...env,
  };
}

function newDataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'passerelle-access-'));
  folders.push(folder);
  return folder;
}

/** The gateway's access log, opened as `passerelle log` opens it. */
async function openLog(config: GatewayConfig): Promise<AccessLogStore> {
  return openAccessLogStore({
    ...accessLogStoreFor(config),
    checkpointKey: await ensureCheckpointKey(config.accessLog.checkpointKey),
  });
}

async function post(url: string, headers: Record<string, string>, query = QUERY) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    requestId: response.headers.get('passerelle-request-id') ?? '',
    body: (await response.json()) as {
      data?: unknown;
      errors?: { extensions?: { code?: string } }[];
    },
  };
}

describe.each([
  { store: 'sqlite' },
  {
    store: 'postgres',
    ...(TEST_POSTGRES_URL === undefined ? { skipReason: POSTGRES_SKIP_REASON } : {}),
  },
])('every request recorded, on $store', ({ store, skipReason }) => {
  let gateway: RunningGateway;
  let config: GatewayConfig;
  let log: AccessLogStore;
  const schema = uniqueSchemaName('access');

  beforeAll(async () => {
    if (skipReason !== undefined) return;
    config = parseGatewayConfig(
      environment(newDataDir(), {
        PASSERELLE_LOG_WRITE_TIMEOUT_MS: '1500',
        ...(store === 'postgres'
          ? {
              PASSERELLE_DATABASE_URL: TEST_POSTGRES_URL as string,
              PASSERELLE_DATABASE_SCHEMA: schema,
            }
          : {}),
      }),
    );
    gateway = await startTestGateway(config);
    log = await openLog(config);
  });

  afterAll(async () => {
    await log?.close();
    await gateway?.stop();
    if (store === 'postgres' && TEST_POSTGRES_URL !== undefined) {
      await dropSchema(TEST_POSTGRES_URL, schema);
    }
  });

  it.skipIf(skipReason !== undefined)(
    'records a served request: who, why, what, whose (as references), and the outcome',
    async () => {
      const served = await post(
        gateway.url,
        await asReuser(REUSER, 'identity-check', { agent: 'agent-7', reason: 'file-42' }),
      );
      expect(served.status).toBe(200);
      const [record] = await log
        .search({ limit: 500 })
        .then((records) => records.filter((candidate) => candidate.requestId === served.requestId));
      expect(record).toMatchObject({
        reuserId: REUSER,
        agent: 'agent-7',
        purposeId: 'identity-check',
        legalBasis: expect.any(String),
        reason: 'file-42',
        operationType: 'query',
        documentHash: documentHashOf(QUERY),
        outcome: { status: 'allowed' },
        policyVersion: expect.stringMatching(/^[0-9a-f]{64}$/),
        clientAddress: expect.stringContaining('127.0.0.1'),
      });
      expect(record?.coordinates).toEqual(
        expect.arrayContaining(['Query.person', 'Person.familyName', 'Person.birthYear']),
      );
      // The person as a reference only: the HMAC of the id the data holder reported.
      const key = Buffer.from(
        readFileSync(config.accessLog.subjectReferenceKeyFile, 'utf8').trim(),
        'hex',
      );
      expect(record?.subjectRefs).toEqual([createSubjectReferencer(key)('1')]);
      expect(JSON.stringify(record)).not.toContain('Lovelace');
      expect(await log.search({ subjectRef: createSubjectReferencer(key)('1') })).toContainEqual(
        expect.objectContaining({ requestId: served.requestId }),
      );
    },
  );

  it.skipIf(skipReason !== undefined)(
    'records refusals with their code, and nothing disclosed',
    async () => {
      const denied = await post(
        gateway.url,
        await asReuser(REUSER, 'identity-check'),
        '{ person(id: "1") { familyName nickname } }',
      );
      expect(denied.status).toBe(403);
      const unauthenticated = await post(gateway.url, { authorization: 'Bearer nonsense' });
      expect(unauthenticated.status).toBe(401);
      const records = await log.search({ limit: 500 });
      expect(records.find((record) => record.requestId === denied.requestId)).toMatchObject({
        reuserId: REUSER,
        outcome: { status: 'denied', code: 'PURPOSE_FIELD_DENIED' },
        coordinates: [],
        subjectRefs: [],
      });
      expect(
        records.find((record) => record.requestId === unauthenticated.requestId),
      ).toMatchObject({
        reuserId: '-',
        purposeId: '-',
        outcome: { status: 'denied', code: 'AUTH_INVALID' },
      });
      expect(await log.verify()).toMatchObject({ ok: true });
    },
  );

  it.skipIf(skipReason !== undefined)(
    'answers 503 ACCESS_LOG_UNAVAILABLE, with no data, while the store cannot take a record',
    async () => {
      const credentials = await asReuser(REUSER, 'identity-check');
      const release = await lockAccessLog(config);
      let blocked: Awaited<ReturnType<typeof post>>;
      try {
        blocked = await post(gateway.url, credentials);
      } finally {
        await release();
      }
      expect(blocked.status).toBe(503);
      expect(blocked.body.errors?.[0]?.extensions?.code).toBe('ACCESS_LOG_UNAVAILABLE');
      expect(blocked.body.data).toBeUndefined();
      expect(JSON.stringify(blocked.body)).not.toContain('Lovelace');
      // Once the store answers again, so does the gateway.
      const again = await post(gateway.url, await asReuser(REUSER, 'identity-check'));
      expect(again.status).toBe(200);
    },
  );
});
reportPostgresSkipped('access recording');

/**
 * Takes the access log's write lock from outside the gateway, as a stuck
 * database or a full disk would stop it; returns the release.
 */
async function lockAccessLog(config: GatewayConfig): Promise<() => Promise<void>> {
  if (config.databaseUrl === undefined) {
    const db = new Database(join(config.dataDir, 'access-log.sqlite'));
    db.prepare('BEGIN EXCLUSIVE').run();
    return async () => {
      db.prepare('ROLLBACK').run();
      db.close();
    };
  }
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(
    `LOCK TABLE "${config.databaseSchema}".access_log_records IN ACCESS EXCLUSIVE MODE`,
  );
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

describe('a gateway killed under load', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  });

  it('has a record of every response a client received, and a chain that verifies', async () => {
    const dataDir = newDataDir();
    const env = environment(dataDir);
    child = fork(join(REPOSITORY, 'gateway/main.ts'), [], {
      cwd: REPOSITORY,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    await registerTestKeys(parseGatewayConfig(env));
    const [ready] = (await once(child, 'message')) as [{ url: string }];

    // Eight clients in a loop, bounded in time and count; the kill lands mid-flight.
    const received: string[] = [];
    let stop = false;
    const client = async () => {
      for (let sent = 0; sent < 500 && !stop; sent++) {
        try {
          const answer = await post(ready.url, await asReuser(REUSER, 'identity-check'));
          if (answer.status === 200) received.push(answer.requestId);
        } catch {
          return; // the connection died with the gateway
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    child.kill('SIGKILL');
    await once(child, 'exit');
    stop = true;
    await Promise.all(clients);
    expect(received.length).toBeGreaterThan(10);

    const config = parseGatewayConfig(env);
    const log = await openLog(config);
    try {
      const recorded = new Set((await log.search({ limit: 10_000 })).map((r) => r.requestId));
      expect(received.filter((requestId) => !recorded.has(requestId))).toEqual([]);
      expect(await log.verify()).toMatchObject({ ok: true });
    } finally {
      await log.close();
    }
  });
});
