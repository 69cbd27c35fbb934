import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { GatewayConfig, RunningGateway } from '../../../gateway/index.js';
import { asReuser, TEST_AUDIENCE } from '../../support/asReuser.js';
import { createPolicyFixture, type PurposeFixture } from '../../support/policyFixture.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  type RecordingSubgraph,
  startCivilStatus,
  startFamilyBenefits,
} from './purposeSubgraphs.js';
import '../../support/context.js';

// Volume limits through the gateway (DOMAIN.md M4, DECISIONS.md section 3):
// requests per minute, persons per response and per day, and persons
// reached only by identifier lookups, over two tiny data holders that
// report the persons they serve as the kit does.

type Body = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
};

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const TODAY = '2026-11-15';
const REUSER = 'commune-limits';
const IDENTITY = { 'Person.familyName': {}, 'Query.person': {} };
const REDIS_URL = process.env.PASSERELLE_TEST_REDIS_URL || undefined;
const RUN = `${process.pid}-${Date.now()}`;

const PURPOSES: PurposeFixture[] = [
  {
    id: 'three-per-minute',
    holders: ['civil-status'],
    grants: IDENTITY,
    limits: { requestsPerMinute: 3 },
  },
  {
    id: 'shared-four-per-minute',
    holders: ['civil-status'],
    grants: IDENTITY,
    limits: { requestsPerMinute: 4 },
  },
  {
    id: 'one-person-per-request',
    holders: ['civil-status'],
    grants: { ...IDENTITY, 'Query.people': { enumeration: { maxPersons: 10 } } },
    limits: { subjectsPerRequest: 1 },
  },
  {
    id: 'list-bounded-to-one',
    holders: ['civil-status'],
    grants: { ...IDENTITY, 'Query.people': { enumeration: { maxPersons: 1 } } },
  },
  {
    id: 'list-unbounded',
    holders: ['civil-status'],
    grants: { ...IDENTITY, 'Query.people': {} },
  },
  {
    id: 'one-person-per-day',
    holders: ['civil-status'],
    grants: IDENTITY,
    limits: { subjectsPerDay: 1 },
  },
];

const policies = createPolicyFixture({
  purposes: PURPOSES,
  reusers: [{ id: REUSER, purposes: PURPOSES.map((purpose) => ({ purpose: purpose.id })) }],
});
// Its own data folder: the daily subjects of the fixed test day start empty.
const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-limits-'));

function environment(subgraphs: readonly RecordingSubgraph[]): Record<string, string> {
  return {
    PASSERELLE_PORT: '0',
    PASSERELLE_DATA_DIR: dataDir,
    PASSERELLE_SUBGRAPHS: subgraphs.map((subgraph) => `${subgraph.name}=${subgraph.url}`).join(','),
    PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
    PASSERELLE_LOG_LEVEL: 'silent',
    PASSERELLE_POLICIES_DIR: policies.dir,
    PASSERELLE_AS_OF: TODAY,
    PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
    // Keys of this run only: a shared Redis never mixes two runs' counts.
    PASSERELLE_REDIS_KEY_PREFIX: `passerelle-test-${RUN}-`,
    ...(REDIS_URL === undefined ? {} : { PASSERELLE_REDIS_URL: REDIS_URL }),
  };
}

let civilStatus: RecordingSubgraph;
let familyBenefits: RecordingSubgraph;
let config: GatewayConfig;
let gateway: RunningGateway;

beforeAll(async () => {
  [civilStatus, familyBenefits] = await Promise.all([startCivilStatus(), startFamilyBenefits()]);
  config = parseGatewayConfig(environment([civilStatus, familyBenefits]));
  gateway = await startTestGateway(config);
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([civilStatus?.stop(), familyBenefits?.stop()]);
  policies.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ask(
  purpose: string,
  query: string,
  url = gateway.url,
): Promise<{ status: number; headers: Headers; body: Body }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await asReuser(REUSER, purpose)) },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Body,
  };
}

function refusalOf(response: { body: Body }) {
  expect(response.body.data ?? undefined).toBeUndefined();
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors ?? [];
  return { message: error?.message ?? '', extensions: error?.extensions ?? {} };
}

describe('rate limits per re-user and purpose', () => {
  it('announces the limit on every response, then refuses with 429 and Retry-After', async () => {
    const remaining: (string | null)[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await ask('three-per-minute', '{ person(id: "1") { familyName } }');
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      const reset = Number(response.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await ask('three-per-minute', '{ person(id: "1") { familyName } }');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const { message, extensions } = refusalOf(refused);
    expect(extensions).toMatchObject({
      code: 'RATE_LIMITED',
      purpose: 'three-per-minute',
      limit: 3,
      actual: 4,
      retryAfterSeconds: retryAfter,
    });
    expect(message).toContain('more than the 3 allowed per minute');
    expect(message).toContain(`Retry in ${retryAfter} seconds`);
    expect(gateway.metrics.snapshot().refusals?.RATE_LIMITED).toBeGreaterThanOrEqual(1);
  });

  it('counts each purpose apart: another purpose of the same re-user is not limited', async () => {
    const response = await ask('one-person-per-day', '{ __typename }');
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('600');
  });

  it('also carries the headers on a refusal by a later stage', async () => {
    const response = await ask('three-per-minute', '{ person(id: "1") { birthDate } }');
    expect(response.headers.get('ratelimit-limit')).toBe('3');
  });

  it('does not count requests for an unknown purpose', async () => {
    const response = await ask('no-such-purpose', '{ __typename }');
    expect(response.status).toBe(403);
    expect(response.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('rate limits shared in Redis by two gateway processes', () => {
  let second: ChildProcess | undefined;

  afterAll(async () => {
    if (second !== undefined && second.exitCode === null) {
      second.kill('SIGTERM');
      await once(second, 'exit');
    }
  });

  if (REDIS_URL === undefined) {
    process.stderr.write(
      'skipped: rate limits shared in Redis: PASSERELLE_TEST_REDIS_URL is unset (e.g. redis://127.0.0.1:6379)\n',
    );
  }

  it.skipIf(REDIS_URL === undefined)(
    'counts the requests made to both gateways against one limit',
    async () => {
      second = fork(join(REPOSITORY, 'gateway/main.ts'), [], {
        cwd: REPOSITORY,
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          APOLLO_TELEMETRY_DISABLED: '1',
          ...environment([civilStatus, familyBenefits]),
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      const [ready] = (await once(second, 'message')) as [{ type: string; url: string }];
      expect(ready.type).toBe('ready');

      const query = '{ person(id: "2") { familyName } }';
      const seen: string[] = [];
      for (const url of [gateway.url, ready.url, gateway.url, ready.url]) {
        const response = await ask('shared-four-per-minute', query, url);
        expect(response.status).toBe(200);
        seen.push(response.headers.get('ratelimit-remaining') ?? '');
      }
      expect(seen).toEqual(['3', '2', '1', '0']);
      const refused = await ask('shared-four-per-minute', query, ready.url);
      expect(refused.status).toBe(429);
      expect(refusalOf(refused).extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 4 });
      expect((await ask('shared-four-per-minute', query)).status).toBe(429);
    },
  );
});

describe('persons per request', () => {
  it('serves a response about one person', async () => {
    const response = await ask('one-person-per-request', '{ person(id: "1") { familyName } }');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ person: { familyName: 'Lovelace' } });
  });

  it('refuses a response about two persons with 400 TOO_MANY_SUBJECTS, and no data', async () => {
    const response = await ask(
      'one-person-per-request',
      '{ a: person(id: "1") { familyName } b: person(id: "2") { familyName } }',
    );
    expect(response.status).toBe(400);
    const { message, extensions } = refusalOf(response);
    expect(extensions).toMatchObject({
      code: 'TOO_MANY_SUBJECTS',
      purpose: 'one-person-per-request',
      limit: 1,
      actual: 2,
    });
    expect(message).toContain('2 distinct persons, more than the 1 allowed per request');
    expect(JSON.stringify(response.body)).not.toContain('Lovelace');
    expect(JSON.stringify(response.body)).not.toContain('Pascal');
  });

  it('counts a person asked twice once', async () => {
    const response = await ask(
      'one-person-per-request',
      '{ a: person(id: "1") { familyName } b: person(id: "1") { familyName } }',
    );
    expect(response.status).toBe(200);
  });

  it('never passes the data holders’ subject report on to the client', async () => {
    const response = await ask('one-person-per-request', '{ person(id: "2") { familyName } }');
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).not.toContain('passerelleSubjects');
    expect(response.body.extensions?.passerelleSubjects).toBeUndefined();
  });
});

describe('persons reached only by identifier lookups', () => {
  it('refuses a list of persons the purpose grants without a bound', async () => {
    const response = await ask('list-unbounded', '{ people { familyName } }');
    expect(response.status).toBe(403);
    const { message, extensions } = refusalOf(response);
    expect(extensions).toMatchObject({
      code: 'PURPOSE_FIELD_DENIED',
      denied: [expect.objectContaining({ coordinate: 'Query.people', reason: 'ENUMERATION' })],
    });
    expect(message).toContain('enumeration: { maxPersons: N }');
    expect(civilStatus.received.some((request) => request.query.includes('people'))).toBe(false);
  });

  it('lets a lookup by identifier through for the same purpose', async () => {
    const response = await ask('list-unbounded', '{ person(id: "1") { familyName } }');
    expect(response.status).toBe(200);
  });

  it('holds a bounded list to the bound: more persons is TOO_MANY_SUBJECTS with the bound', async () => {
    const response = await ask('list-bounded-to-one', '{ people { familyName } }');
    expect(response.status).toBe(400);
    expect(refusalOf(response).extensions).toMatchObject({
      code: 'TOO_MANY_SUBJECTS',
      limit: 1,
      actual: 2,
    });
  });

  it('applies the tighter of the purpose limit and the list bound', async () => {
    const response = await ask('one-person-per-request', '{ people { familyName } }');
    // Two persons, over the purpose's own limit of one: the tighter limit wins.
    expect(response.status).toBe(400);
  });
});

describe('persons per day', () => {
  it('counts distinct persons per day: the same person again is free, a new one is refused', async () => {
    const first = await ask('one-person-per-day', '{ person(id: "1") { familyName } }');
    expect(first.status).toBe(200);
    const again = await ask('one-person-per-day', '{ person(id: "1") { familyName } }');
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ person: { familyName: 'Lovelace' } });

    const other = await ask('one-person-per-day', '{ person(id: "2") { familyName } }');
    expect(other.status).toBe(429);
    expect(Number(other.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { message, extensions } = refusalOf(other);
    expect(extensions).toMatchObject({
      code: 'SUBJECT_QUOTA_EXCEEDED',
      purpose: 'one-person-per-day',
      limit: 1,
      counted: 1,
      added: 1,
      day: TODAY,
    });
    expect(message).toContain('beyond the 1 allowed per day');
    expect(JSON.stringify(other.body)).not.toContain('Pascal');

    // An unknown person serves no one: nothing to count.
    const nobody = await ask('one-person-per-day', '{ person(id: "99") { familyName } }');
    expect(nobody.status).toBe(200);
    expect(gateway.metrics.snapshot().refusals?.SUBJECT_QUOTA_EXCEEDED).toBe(1);
  });

  it('keeps its subject reference key private, generated at first start', () => {
    const mode = statSync(join(dataDir, 'keys', 'subject-reference.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});
