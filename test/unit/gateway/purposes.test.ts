import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import {
  type GatewayConfig,
  PolicyLoadError,
  type RunningGateway,
} from '../../../gateway/index.js';
import {
  createGatewayContextVerifier,
  loadGatewayPublicKeys,
} from '../../../subgraphs/kit/index.js';
import { asReuser, registerTestKeys, TEST_AUDIENCE } from '../../support/asReuser.js';
import { createPolicyFixture, type PurposeFixture } from '../../support/policyFixture.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  type RecordingSubgraph,
  startCivilStatus,
  startFamilyBenefits,
} from './purposeSubgraphs.js';
import '../../support/context.js';

// The bound request, the purpose binding and the policy pre-flight, through
// the gateway's HTTP endpoint, over two tiny data holders that record what
// they receive, with policies from a temporary folder.

type GraphQLBody = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
};

const TODAY = '2026-11-15';
const REUSER = 'commune-a';

const IDENTITY_GRANTS = {
  'Query.person': {},
  'Query.people': { enumeration: { maxPersons: 10 } },
  'Person.familyName': {},
  'Person.birthDate': { transform: 'year' },
};

const QUOTIENT_GRANTS = {
  'Query.person': {},
  'Person.familyBenefits': {},
  'FamilyBenefitsFile.familyQuotient': {
    args: { month: { window: { unit: 'month', from: 0, to: 0 } } },
  },
  'FamilyQuotient.month': {},
  'FamilyQuotient.value': {},
};

const PURPOSES: PurposeFixture[] = [
  { id: 'identity-check', holders: ['civil-status'], grants: IDENTITY_GRANTS },
  {
    id: 'quotient-check',
    holders: ['civil-status', 'family-benefits'],
    grants: QUOTIENT_GRANTS,
    requiredClaims: ['agent', 'reason'],
  },
  {
    id: 'identity-filter',
    holders: ['civil-status', 'family-benefits'],
    grants: { ...IDENTITY_GRANTS, ...QUOTIENT_GRANTS },
    mode: 'filter',
  },
  { id: 'identity-dry-run', holders: ['civil-status'], grants: IDENTITY_GRANTS, mode: 'dry-run' },
  {
    id: 'expired',
    holders: ['civil-status'],
    grants: IDENTITY_GRANTS,
    validFrom: '2025-01-01',
    validUntil: '2025-12-31',
  },
  {
    id: 'production-only',
    holders: ['civil-status'],
    grants: IDENTITY_GRANTS,
    stage: 'production',
  },
  { id: 'lapsed-grant', holders: ['civil-status'], grants: IDENTITY_GRANTS },
  { id: 'other-reusers', holders: ['civil-status'], grants: IDENTITY_GRANTS },
];

const policies = createPolicyFixture({
  purposes: PURPOSES,
  reusers: [
    {
      id: REUSER,
      purposes: [
        { purpose: 'identity-check' },
        { purpose: 'quotient-check' },
        { purpose: 'identity-filter' },
        { purpose: 'identity-dry-run' },
        { purpose: 'expired', validFrom: '2025-01-01', validUntil: '2025-12-31' },
        { purpose: 'production-only' },
        { purpose: 'lapsed-grant', validFrom: '2026-01-01', validUntil: '2026-06-30' },
      ],
    },
    { id: 'commune-b', purposes: [{ purpose: 'other-reusers' }] },
  ],
});

function configFor(
  subgraphs: readonly RecordingSubgraph[],
  overrides: Record<string, string> = {},
): GatewayConfig {
  return parseGatewayConfig({
    PASSERELLE_PORT: '0',
    // The gateway keeps its context key pair there (keys/), shared by the run's processes.
    PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
    PASSERELLE_SUBGRAPHS: subgraphs.map((subgraph) => `${subgraph.name}=${subgraph.url}`).join(','),
    PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
    PASSERELLE_LOG_LEVEL: 'silent',
    PASSERELLE_POLICIES_DIR: policies.dir,
    PASSERELLE_AS_OF: TODAY,
    PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
    ...overrides,
  });
}

/** A process log kept in memory: the dry-run's decisions are logged. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

let civilStatus: RecordingSubgraph;
let familyBenefits: RecordingSubgraph;
let gateway: RunningGateway;
const log = memoryLogger();

beforeAll(async () => {
  [civilStatus, familyBenefits] = await Promise.all([startCivilStatus(), startFamilyBenefits()]);
  const config = configFor([civilStatus, familyBenefits]);
  // commune-z has a key but no policy file: a re-user removed from the policies.
  await registerTestKeys(config, ['commune-z']);
  gateway = await startTestGateway(config, { logger: log.logger });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([civilStatus?.stop(), familyBenefits?.stop()]);
  policies.remove();
});

async function post(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
): Promise<{ status: number; headers: Headers; body: GraphQLBody }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLBody,
  };
}

const query = (text: string, headers: Record<string, string> = {}, variables?: object) =>
  post(gateway.url, text, headers, variables as Record<string, unknown> | undefined);

/** Every GraphQL response names the policy version it was decided with. */
function policyVersionOf(response: { headers: Headers }): string {
  const version = response.headers.get('passerelle-policy-version');
  expect(version).toMatch(/^[0-9a-f]{64}$/);
  return version ?? '';
}

function errorOf(body: GraphQLBody) {
  expect(body.errors).toHaveLength(1);
  return body.errors?.[0] ?? { message: '', extensions: {} };
}

describe('binding a request to a re-user and a purpose', () => {
  const refusals: {
    name: string;
    headers: () => Promise<Record<string, string>>;
    status: number;
    code: string;
    message: RegExp;
  }[] = [
    {
      name: 'no credentials at all, for data',
      headers: async () => ({}),
      status: 400,
      code: 'BAD_REQUEST',
      message: /declares no purpose.*Authorization: Bearer/,
    },
    {
      name: 'an unknown re-user',
      headers: () => asReuser('commune-z', 'identity-check'),
      status: 403,
      code: 'PURPOSE_UNKNOWN',
      message: /re-user "commune-z".*"iss" and "sub" claims of the client assertion/,
    },
    {
      name: 'an unknown purpose',
      headers: () => asReuser(REUSER, 'marketing'),
      status: 403,
      code: 'PURPOSE_UNKNOWN',
      message: /purpose "marketing".*"purpose" claim of the client assertion/,
    },
    {
      name: 'a purpose the re-user does not hold',
      headers: () => asReuser(REUSER, 'other-reusers'),
      status: 403,
      code: 'PURPOSE_NOT_GRANTED',
      message: /not among the purposes this re-user is granted/,
    },
    {
      name: "a re-user's grant that has lapsed",
      headers: () => asReuser(REUSER, 'lapsed-grant'),
      status: 403,
      code: 'PURPOSE_NOT_GRANTED',
      message: /grant runs 2026-01-01 to 2026-06-30, and today is 2026-11-15/,
    },
    {
      name: 'a purpose outside its validity dates',
      headers: () => asReuser(REUSER, 'expired'),
      status: 403,
      code: 'PURPOSE_NOT_ACTIVE',
      message: /valid from 2025-01-01 to 2025-12-31/,
    },
    {
      name: 'a production purpose in the sandbox',
      headers: () => asReuser(REUSER, 'production-only'),
      status: 403,
      code: 'PURPOSE_NOT_ACTIVE',
      message: /production purpose and this gateway is the sandbox/,
    },
    {
      name: 'a purpose requiring a reason, without one',
      headers: () => asReuser(REUSER, 'quotient-check'),
      status: 400,
      code: 'BAD_REQUEST',
      message: /requires a reason.*send the "reason" claim of the client assertion/,
    },
  ];

  it.each(refusals)('refuses $name: $status $code', async ({ headers, status, code, message }) => {
    civilStatus.clear();
    const response = await query('{ person(id: "1") { familyName } }', await headers());
    expect(response.status).toBe(status);
    const error = errorOf(response.body);
    expect(error.extensions?.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(response.body.data).toBeUndefined();
    const version = policyVersionOf(response);
    if (code.startsWith('PURPOSE_')) expect(error.extensions?.policyVersion).toBe(version);
    // Refused before planning: no data holder was asked anything.
    expect(civilStatus.received).toEqual([]);
  });

  it('answers __typename and introspection without a purpose in the sandbox', async () => {
    const typename = await query('{ __typename }');
    expect(typename.status).toBe(200);
    expect(typename.body).toEqual({ data: { __typename: 'Query' } });
    const introspection = await query('{ __schema { queryType { name } } }');
    expect(introspection.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('gives every GraphQL response a request id and the policy version', async () => {
    const served = await query(
      '{ person(id: "1") { familyName } }',
      await asReuser(REUSER, 'identity-check'),
    );
    const refused = await query('{ person(id: "1") { familyName } }');
    expect(policyVersionOf(served)).toBe(policyVersionOf(refused));
    const ids = [served, refused].map((response) => response.headers.get('passerelle-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('reject mode (the default)', () => {
  const headers = () => asReuser(REUSER, 'identity-check');

  it('serves what the purpose grants, the birth year instead of the date', async () => {
    const response = await query('{ person(id: "1") { familyName birthYear } }', await headers());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: { person: { familyName: 'Lovelace', birthYear: 1815 } },
    });
  });

  it('refuses the whole request, listing every denied field, before any data holder is asked', async () => {
    civilStatus.clear();
    const response = await query(
      '{ person(id: "1") { familyName birthDate nickname } people { birthDate } }',
      await headers(),
    );
    expect(response.status).toBe(403);
    const error = errorOf(response.body);
    expect(error.extensions).toEqual({
      code: 'PURPOSE_FIELD_DENIED',
      purpose: 'identity-check',
      policyVersion: policyVersionOf(response),
      denied: [
        {
          coordinate: 'Person.birthDate',
          path: ['person', 'birthDate'],
          reason: 'NOT_GRANTED',
          hint: 'this purpose gets Person.birthYear instead',
        },
        {
          coordinate: 'Person.birthDate',
          path: ['people', 'birthDate'],
          reason: 'NOT_GRANTED',
          hint: 'this purpose gets Person.birthYear instead',
        },
        { coordinate: 'Person.nickname', path: ['person', 'nickname'], reason: 'NOT_GRANTED' },
      ],
    });
    expect(error.message).toBe(
      'The purpose "identity-check" does not grant Person.birthDate and Person.nickname (Person.birthDate: this purpose gets Person.birthYear instead). Remove them from the query: a purpose gets only the fields it strictly needs.',
    );
    expect(response.body.data).toBeUndefined();
    expect(civilStatus.received).toEqual([]);
  });

  it('refuses an argument outside the window with PURPOSE_ARGUMENT_DENIED', async () => {
    const text = `query ($month: String!) { person(id: "1") { familyBenefits { familyQuotient(month: $month) { month value } } } }`;
    const withReason = await asReuser(REUSER, 'quotient-check', { reason: 'file-42' });
    const allowed = await query(text, withReason, { month: '2026-11' });
    expect(allowed.body).toEqual({
      data: { person: { familyBenefits: { familyQuotient: { month: '2026-11', value: 380 } } } },
    });

    familyBenefits.clear();
    const refused = await query(text, withReason, { month: '2026-09' });
    expect(refused.status).toBe(403);
    const error = errorOf(refused.body);
    expect(error.extensions).toEqual({
      code: 'PURPOSE_ARGUMENT_DENIED',
      purpose: 'quotient-check',
      policyVersion: policyVersionOf(refused),
      arguments: [
        {
          coordinate: 'FamilyBenefitsFile.familyQuotient',
          argument: 'month',
          path: ['person', 'familyBenefits', 'familyQuotient'],
          problem: '"2026-09" is before the allowed period',
          allowed: '2026-11 only',
          window: { unit: 'month', from: 0, to: 0 },
        },
      ],
    });
    expect(error.message).toContain('FamilyBenefitsFile.familyQuotient(month:)');
    expect(familyBenefits.received).toEqual([]);
  });
});

describe('filter mode', () => {
  const headers = () => asReuser(REUSER, 'identity-filter');

  it('answers a denied nullable field null, with one error, and never asks for it', async () => {
    civilStatus.clear();
    const response = await query('{ person(id: "1") { familyName nickname } }', await headers());
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ person: { familyName: 'Lovelace', nickname: null } });
    const error = errorOf(response.body);
    expect(error.path).toEqual(['person', 'nickname']);
    expect(error.extensions).toMatchObject({
      code: 'PURPOSE_FIELD_DENIED',
      purpose: 'identity-filter',
      coordinate: 'Person.nickname',
      policyVersion: policyVersionOf(response),
    });
    expect(civilStatus.received.length).toBeGreaterThan(0);
    for (const request of civilStatus.received) expect(request.query).not.toContain('nickname');
  });

  it('bubbles the null of a denied non-null field up to the nearest nullable parent', async () => {
    civilStatus.clear();
    const response = await query('{ person(id: "1") { familyName birthDate } }', await headers());
    expect(response.status).toBe(200);
    // Person.birthDate is String!: the person (nullable) becomes null.
    expect(response.body.data).toEqual({ person: null });
    const error = errorOf(response.body);
    expect(error.path).toEqual(['person', 'birthDate']);
    expect(error.extensions?.hint).toBe('this purpose gets Person.birthYear instead');
    for (const request of civilStatus.received) expect(request.query).not.toContain('birthDate');
  });

  it('gives one error per list item, and nulls the nullable list of non-null items', async () => {
    const response = await query('{ people { familyName birthDate } }', await headers());
    expect(response.body.data).toEqual({ people: null });
    expect(response.body.errors?.map((error) => error.path)).toEqual([
      ['people', 0, 'birthDate'],
      ['people', 1, 'birthDate'],
    ]);
  });

  it('keeps a parent whose every child is denied, without asking for the children', async () => {
    civilStatus.clear();
    const response = await query('{ person(id: "2") { nickname } }', await headers());
    expect(response.body.data).toEqual({ person: { nickname: null } });
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual([
      'PURPOSE_FIELD_DENIED',
    ]);
    for (const request of civilStatus.received) expect(request.query).not.toContain('nickname');
  });

  it('asks a data holder nothing when all it would serve is denied', async () => {
    familyBenefits.clear();
    const response = await query(
      '{ person(id: "1") { familyName familyBenefits { childCount } } }',
      await headers(),
    );
    expect(response.body.data).toEqual({
      person: { familyName: 'Lovelace', familyBenefits: null },
    });
    // FamilyBenefitsFile.childCount is Int!: its null nulls the (nullable) file.
    expect(response.body.errors?.map((error) => error.path)).toEqual([
      ['person', 'familyBenefits', 'childCount'],
    ]);
    for (const request of familyBenefits.received)
      expect(request.query).not.toContain('childCount');
  });

  it('drops a denied field with a variable argument, leaving the variable unused', async () => {
    familyBenefits.clear();
    const response = await query(
      `query ($at: String) { person(id: "1") { familyBenefits {
        householdSize(atDate: $at) familyQuotient(month: "2026-11") { value } } } }`,
      await headers(),
      { at: '2026-11-01' },
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      person: { familyBenefits: { familyQuotient: { value: 380 }, householdSize: null } },
    });
    expect(response.body.errors?.map((error) => error.path)).toEqual([
      ['person', 'familyBenefits', 'householdSize'],
    ]);
    for (const request of familyBenefits.received) {
      expect(request.query).not.toContain('householdSize');
    }
  });

  it('still refuses argument values outside the purpose', async () => {
    const response = await query(
      '{ person(id: "1") { familyBenefits { familyQuotient(month: "2026-01") { value } } } }',
      await headers(),
    );
    expect(response.status).toBe(403);
    expect(errorOf(response.body).extensions?.code).toBe('PURPOSE_ARGUMENT_DENIED');
  });
});

describe('dry-run mode', () => {
  it('serves everything, logs and reports what reject mode would have refused', async () => {
    log.lines.length = 0;
    const response = await query(
      '{ person(id: "1") { familyName birthDate } }',
      await asReuser(REUSER, 'identity-dry-run'),
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      person: { familyName: 'Lovelace', birthDate: '1815-12-10' },
    });
    const version = policyVersionOf(response);
    expect(response.body.extensions).toEqual({
      passerelle: {
        purpose: 'identity-dry-run',
        policyVersion: version,
        dryRunDenied: [
          {
            code: 'PURPOSE_FIELD_DENIED',
            coordinate: 'Person.birthDate',
            path: ['person', 'birthDate'],
            reason: 'NOT_GRANTED',
            hint: 'this purpose gets Person.birthYear instead',
          },
        ],
      },
    });
    const decision = log.lines.find((line) => String(line.msg).startsWith('dry-run'));
    expect(decision).toMatchObject({
      purpose: 'identity-dry-run',
      reuser: REUSER,
      policyVersion: version,
      deniedFields: ['Person.birthDate'],
      requestId: response.headers.get('passerelle-request-id'),
    });
  });

  it('reports an empty list when nothing would have been refused', async () => {
    const response = await query(
      '{ person(id: "1") { familyName } }',
      await asReuser(REUSER, 'identity-dry-run'),
    );
    expect(response.body.extensions?.passerelle).toMatchObject({ dryRunDenied: [] });
  });
});

describe('what data holders receive', () => {
  /** Checks a data holder's `Passerelle-Context` as the kit does, with the key the gateway published. */
  async function verifiedContext(header: string | undefined, holder: string) {
    const keys = await loadGatewayPublicKeys(
      join(inject('sandboxDataDir'), 'keys', 'gateway-context.public.jwk'),
    );
    return createGatewayContextVerifier(keys, holder).verify(header);
  }

  it('a signed context naming the purpose, re-user, agent, reason, request, trace and policy version, and none of the client headers', async () => {
    civilStatus.clear();
    const credentials = await asReuser(REUSER, 'identity-check', {
      agent: 'agent-7',
      reason: 'file-42',
    });
    const response = await query('{ person(id: "1") { familyName } }', {
      ...credentials,
      'passerelle-policy-version': 'forged',
      'passerelle-request-id': 'forged',
      'passerelle-context': 'forged',
      'passerelle-extra': 'forged',
    });
    expect(response.status).toBe(200);
    expect(civilStatus.received).toHaveLength(1);
    const sent = civilStatus.received[0]?.headers ?? {};
    expect(Object.keys(sent).filter((name) => name.startsWith('passerelle-'))).toEqual([
      'passerelle-context',
    ]);
    expect(await verifiedContext(sent['passerelle-context'], 'civil-status')).toEqual({
      ok: true,
      context: {
        scope: 'purpose',
        purpose: 'identity-check',
        reuser: REUSER,
        agent: 'agent-7',
        reason: 'file-42',
        requestId: response.headers.get('passerelle-request-id'),
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        policyVersion: policyVersionOf(response),
      },
    });
    // The re-user's assertion is for the gateway only: no data holder sees it.
    expect(credentials.authorization).toMatch(/^Bearer /);
    expect(sent.authorization).toBeUndefined();
  });

  it('a context only that data holder accepts, signed once per request and data holder', async () => {
    civilStatus.clear();
    familyBenefits.clear();
    const response = await query(
      '{ person(id: "1") { familyName familyBenefits { familyQuotient(month: "2026-11") { value } } } }',
      await asReuser(REUSER, 'identity-filter'),
    );
    expect(response.body.errors).toBeUndefined();
    const civilStatusContext = civilStatus.received[0]?.headers['passerelle-context'];
    const familyBenefitsContext = familyBenefits.received[0]?.headers['passerelle-context'];
    expect((await verifiedContext(civilStatusContext, 'civil-status')).ok).toBe(true);
    expect((await verifiedContext(familyBenefitsContext, 'family-benefits')).ok).toBe(true);
    expect(await verifiedContext(civilStatusContext, 'family-benefits')).toMatchObject({
      ok: false,
      refusal: { code: 'CONTEXT_INVALID' },
    });
    // A second request gets its own tokens.
    civilStatus.clear();
    await query('{ person(id: "1") { familyName } }', await asReuser(REUSER, 'identity-filter'));
    expect(civilStatus.received[0]?.headers['passerelle-context']).not.toBe(civilStatusContext);
  });

  it("a service context with the gateway's own readiness probes", async () => {
    civilStatus.clear();
    const base = gateway.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect(civilStatus.received.map((request) => request.query)).toEqual(['{ __typename }']);
    expect(
      await verifiedContext(civilStatus.received[0]?.headers['passerelle-context'], 'civil-status'),
    ).toEqual({ ok: true, context: { scope: 'service' } });
  });
});

describe('policy hot reload', () => {
  const reload = createPolicyFixture({
    purposes: [{ id: 'identity-check', holders: ['civil-status'], grants: IDENTITY_GRANTS }],
    reusers: [{ id: REUSER, purposes: [{ purpose: 'identity-check' }] }],
  });
  let reloading: RunningGateway;

  beforeAll(async () => {
    reloading = await startTestGateway(
      configFor([civilStatus, familyBenefits], { PASSERELLE_POLICIES_DIR: reload.dir }),
    );
  });

  afterAll(async () => {
    await reloading?.stop();
    reload.remove();
  });

  const nickname = async () =>
    post(
      reloading.url,
      '{ person(id: "1") { nickname } }',
      await asReuser(REUSER, 'identity-check'),
    );

  /** Polls until `accept` holds, for at most `withinMs`; returns the last response and the time taken. */
  async function until(accept: (status: number) => boolean, withinMs: number) {
    const started = Date.now();
    for (;;) {
      const response = await nickname();
      if (accept(response.status) || Date.now() - started > withinMs) {
        return { response, elapsedMs: Date.now() - started };
      }
      await sleep(50);
    }
  }

  it('serves a new grant within a second of the edit', async () => {
    const before = await nickname();
    expect(before.status).toBe(403);
    reload.writePurpose({
      id: 'identity-check',
      holders: ['civil-status'],
      grants: { ...IDENTITY_GRANTS, 'Person.nickname': {} },
    });
    const { response, elapsedMs } = await until((status) => status === 200, 3_000);
    expect(response.body).toEqual({ data: { person: { nickname: 'Ada' } } });
    expect(elapsedMs).toBeLessThan(1_000);
    expect(policyVersionOf(response)).not.toBe(policyVersionOf(before));
  });

  it('keeps the last valid version when an edit is invalid', async () => {
    const before = await nickname();
    expect(before.status).toBe(200);
    reload.writeFile('purposes/identity-check.yaml', 'id: identity-check\ngrants: [unclosed\n');
    await sleep(600);
    const after = await nickname();
    expect(after.status).toBe(200);
    expect(policyVersionOf(after)).toBe(policyVersionOf(before));
  });
});

describe('gateway start with invalid policies', () => {
  const broken = createPolicyFixture({
    purposes: [
      { id: 'identity-check', holders: ['civil-status'], grants: { 'Person.salary': {} } },
    ],
    reusers: [{ id: REUSER, purposes: [{ purpose: 'identity-check' }] }],
  });

  afterAll(() => {
    broken.remove();
  });

  it('refuses to start, listing the problems', async () => {
    const started = startTestGateway(
      configFor([civilStatus, familyBenefits], { PASSERELLE_POLICIES_DIR: broken.dir }),
    );
    await expect(started).rejects.toThrow(PolicyLoadError);
    await expect(started).rejects.toThrow(/Person\.salary/);
  });

  it('exits 1 from the process entry, printing the problems without a stack', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        APOLLO_TELEMETRY_DISABLED: '1',
        PASSERELLE_PORT: '0',
        PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
        PASSERELLE_LOG_LEVEL: 'silent',
        PASSERELLE_SUBGRAPHS: `civil-status=${civilStatus.url},family-benefits=${familyBenefits.url}`,
        PASSERELLE_POLICIES_DIR: broken.dir,
      },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('Person.salary');
    expect(stderr).toContain('identity-check.yaml');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('production mode', () => {
  let production: RunningGateway;

  beforeAll(async () => {
    production = await startTestGateway(
      parseGatewayConfig({
        PASSERELLE_MODE: 'production',
        PASSERELLE_PORT: '0',
        PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
        PASSERELLE_SUBGRAPHS: `civil-status=${civilStatus.url},family-benefits=${familyBenefits.url}`,
        PASSERELLE_LOG_LEVEL: 'silent',
        PASSERELLE_POLICIES_DIR: policies.dir,
        PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      }),
    );
  });

  afterAll(async () => {
    await production?.stop();
  });

  it('serves a production purpose to a re-user with a valid assertion', async () => {
    const response = await post(
      production.url,
      '{ person(id: "1") { familyName } }',
      await asReuser(REUSER, 'production-only'),
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });

  it.each([
    [
      'data with plain headers naming a re-user and purpose',
      '{ person(id: "1") { familyName } }',
      {
        'passerelle-reuser': REUSER,
        'passerelle-purpose': 'production-only',
        'passerelle-agent': 'agent-1',
      },
    ],
    ['__typename', '{ __typename }', {}],
    ['introspection', '{ __schema { queryType { name } } }', {}],
  ])('refuses %s with 401 AUTH_MISSING', async (_, text, headers) => {
    civilStatus.clear();
    const response = await post(production.url, text, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(errorOf(response.body).extensions).toEqual({ code: 'AUTH_MISSING' });
    expect(errorOf(response.body).message).toMatch(/Authorization: Bearer/);
    policyVersionOf(response);
    expect(civilStatus.received).toEqual([]);
  });

  it('still answers /health and /ready', async () => {
    const base = production.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });
});
