import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { asReuser, TEST_AUDIENCE } from '../../support/asReuser.js';
import { createPolicyFixture } from '../../support/policyFixture.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  type RecordingSubgraph,
  startCivilStatus,
  startFamilyBenefits,
} from './purposeSubgraphs.js';
import '../../support/context.js';

// Hostile and malformed requests against a real gateway on loopback, over
// two tiny data holders: each gets a clear 4xx with its stable code, quickly,
// before any data holder is asked; and the gateway still serves afterwards.

type GraphQLBody = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

const REUSER = 'attack-reuser';
const GRANTS = {
  'Query.person': {},
  'Query.people': { enumeration: { maxPersons: 10 } },
  'Person.familyName': {},
  'Person.birthDate': {},
  'Person.nickname': {},
  'Person.familyBenefits': {},
  'FamilyBenefitsFile.childCount': {},
  'FamilyBenefitsFile.householdSize': {},
};
const policies = createPolicyFixture({
  purposes: [
    { id: 'attack-open', holders: ['civil-status', 'family-benefits'], grants: GRANTS },
    {
      id: 'attack-tight',
      holders: ['civil-status', 'family-benefits'],
      grants: GRANTS,
      limits: { maxDepth: 2, maxCost: 5 },
    },
  ],
  reusers: [{ id: REUSER, purposes: [{ purpose: 'attack-open' }, { purpose: 'attack-tight' }] }],
});

/** The gateway's cost limit here: low enough for a few aliased lists to pass it. */
const MAX_COST = 200;
/** Loose bound per request: a refusal must never hang, even on a loaded machine. */
const BOUNDED_MS = 3_000;

let civilStatus: RecordingSubgraph;
let familyBenefits: RecordingSubgraph;
let gateway: RunningGateway;
let open: Record<string, string>;
let tight: Record<string, string>;

beforeAll(async () => {
  [civilStatus, familyBenefits] = await Promise.all([startCivilStatus(), startFamilyBenefits()]);
  gateway = await startTestGateway(
    parseGatewayConfig({
      PASSERELLE_PORT: '0',
      PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
      PASSERELLE_SUBGRAPHS: [civilStatus, familyBenefits]
        .map((subgraph) => `${subgraph.name}=${subgraph.url}`)
        .join(','),
      PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
      PASSERELLE_LOG_LEVEL: 'silent',
      PASSERELLE_POLICIES_DIR: policies.dir,
      PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      PASSERELLE_AS_OF: '2026-11-15',
      PASSERELLE_MAX_COST: String(MAX_COST),
    }),
  );
  open = { ...(await asReuser(REUSER, 'attack-open')) };
  tight = { ...(await asReuser(REUSER, 'attack-tight')) };
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([civilStatus?.stop(), familyBenefits?.stop()]);
  policies.remove();
});

type Attack = {
  name: string;
  /** Builds the request; credentials are those of the open purpose unless `headers` says otherwise. */
  request: () => {
    method?: string;
    search?: string;
    headers?: Record<string, string>;
    body?: string;
  };
  status: number;
  code: string;
  /** Something the message must say (the limit, the value...). */
  message?: RegExp;
  extensions?: Record<string, unknown>;
};

const json = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
const repeat = (count: number, make: (index: number) => string) =>
  Array.from({ length: count }, (_, index) => make(index)).join(' ');

const ATTACKS: Attack[] = [
  {
    name: 'an alias bomb (16 aliases)',
    request: () => ({
      body: json(`{ person(id: "1") { ${repeat(16, (index) => `a${index}: familyName`)} } }`),
    }),
    status: 400,
    code: 'TOO_MANY_ALIASES',
    extensions: { limit: 15, actual: 16 },
  },
  {
    name: 'a huge alias bomb (1000 aliases), stopped by its token count',
    request: () => ({
      body: json(`{ person(id: "1") { ${repeat(1000, (index) => `a${index}: familyName`)} } }`),
    }),
    status: 400,
    code: 'DOCUMENT_TOO_LARGE',
    message: /more than 2000 tokens/,
  },
  {
    name: 'aliases hidden in a fragment spread many times',
    request: () => ({
      body: json(
        `{ ${repeat(8, (index) => `p${index}: person(id: "1") { ...F }`)} } fragment F on Person { x: familyName y: familyName }`,
      ),
    }),
    status: 400,
    code: 'TOO_MANY_ALIASES',
    extensions: { limit: 15, actual: 8 + 8 * 2 },
  },
  {
    name: 'deep nesting (11 levels), refused before validation',
    request: () => ({ body: json(`${'{ a '.repeat(11)}${'}'.repeat(11)}`) }),
    status: 400,
    code: 'QUERY_TOO_DEEP',
    extensions: { limit: 10, actual: 11 },
  },
  {
    name: 'depth hidden in fragments',
    request: () => ({
      body: json(
        `{ a { ...F1 } } ${repeat(10, (index) => `fragment F${index + 1} on T { b { ...F${index + 2} } }`)} fragment F11 on T { c }`,
      ),
    }),
    status: 400,
    code: 'QUERY_TOO_DEEP',
    extensions: { limit: 10, actual: 12 },
  },
  {
    name: '100 000 nested braces, which would overflow the parser',
    request: () => ({ body: json(`${'{ a '.repeat(100_000)}${'}'.repeat(100_000)}`) }),
    status: 400,
    code: 'DOCUMENT_TOO_LARGE',
  },
  {
    name: "a purpose's tighter depth",
    request: () => ({
      headers: tight,
      body: json('{ person(id: "1") { familyBenefits { childCount } } }'),
    }),
    status: 400,
    code: 'QUERY_TOO_DEEP',
    extensions: { limit: 2, actual: 3, purpose: 'attack-tight' },
  },
  {
    name: 'a fragment cycle',
    request: () => ({
      body: json(
        '{ person(id: "1") { ...A } } fragment A on Person { familyName ...B } fragment B on Person { ...A }',
      ),
    }),
    status: 400,
    code: 'FRAGMENT_CYCLE',
    message: /A -> B -> A/,
  },
  {
    name: 'a fragment named __schema, without credentials',
    request: () => ({
      headers: {},
      body: json('{ ...__schema } fragment __schema on Query { person(id: "1") { familyName } }'),
    }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /declares no purpose/,
  },
  {
    name: 'an alias named __schema, without credentials',
    request: () => ({ headers: {}, body: json('{ __schema: person(id: "1") { familyName } }') }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /declares no purpose/,
  },
  {
    name: 'the introspection bomb',
    request: () => ({
      headers: {},
      body: json(
        '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
      ),
    }),
    status: 400,
    code: 'QUERY_TOO_DEEP',
    message: /in introspection/,
  },
  {
    name: 'directive overloading',
    request: () => ({
      body: json(`{ person(id: "1") { familyName ${'@include(if: true) '.repeat(50)} } }`),
    }),
    status: 400,
    code: 'TOO_MANY_DIRECTIVES',
    extensions: { limit: 20, actual: 50 },
  },
  {
    name: 'too many root fields',
    request: () => ({
      body: json(
        `{ ${repeat(11, (index) => `p${index}: person(id: "${index}") { familyName }`)} }`,
      ),
    }),
    status: 400,
    code: 'TOO_MANY_ROOT_FIELDS',
    extensions: { limit: 10, actual: 11 },
  },
  {
    name: 'a very long string literal',
    request: () => ({ body: json(`{ person(id: "${'x'.repeat(100_000)}") { familyName } }`) }),
    status: 400,
    code: 'DOCUMENT_TOO_LARGE',
    message: /100\d{3} bytes, more than the 32768 allowed/,
  },
  {
    name: 'a document over the body limit',
    request: () => ({ body: json(`{ person(id: "1") { familyName } } ${'#'.repeat(1_100_000)}`) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a huge variable payload',
    request: () => ({
      body: json('query ($id: ID!) { person(id: $id) { familyName } }', {
        id: 'x'.repeat(1_100_000),
      }),
    }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'deeply nested JSON in a variable',
    request: () => ({
      body: `{"query":"query ($id: ID!) { person(id: $id) { familyName } }","variables":{"id":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`,
    }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'the cost of aliased lists over the gateway limit',
    request: () => ({
      body: json(
        `{ ${repeat(7, (index) => `l${index}: people { familyName familyBenefits { childCount } }`)} }`,
      ),
    }),
    status: 400,
    code: 'COST_ESTIMATED_TOO_EXPENSIVE',
    // Each list: 10 persons assumed, each 1 + an entity fetch 1 + its file 1.
    extensions: { estimatedCost: 7 * 10 * 3, maxCost: MAX_COST },
  },
  {
    name: "the cost over a purpose's tighter limit",
    request: () => ({ headers: tight, body: json('{ people { familyName } }') }),
    status: 400,
    code: 'COST_ESTIMATED_TOO_EXPENSIVE',
    extensions: { estimatedCost: 10, maxCost: 5, purpose: 'attack-tight' },
    message: /estimated to cost 10, more than the 5 allowed for the purpose "attack-tight"/,
  },
  {
    name: 'a batched array',
    request: () => ({
      body: JSON.stringify([
        { query: '{ person(id: "1") { familyName } }' },
        { query: '{ person(id: "2") { familyName } }' },
      ]),
    }),
    status: 400,
    code: 'BATCH_NOT_SUPPORTED',
    message: /one operation per request/,
  },
  {
    name: 'malformed JSON',
    request: () => ({ body: '{"query": "{ person(id: \\"1\\") { familyName } }"' }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /not valid JSON/,
  },
  {
    name: 'a JSON body that is no object',
    request: () => ({ body: '"{ person(id: \\"1\\") { familyName } }"' }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'].map(
    (contentType): Attack => ({
      name: `a ${contentType.split(';')[0]} body`,
      request: () => ({
        headers: { ...open, 'content-type': contentType },
        body: json('{ person(id: "1") { familyName } }'),
      }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    }),
  ),
  {
    // Apollo Server refuses it before anything runs, as GraphQL over HTTP asks.
    name: 'a mutation over GET',
    request: () => ({
      method: 'GET',
      search: `?${new URLSearchParams({ query: 'mutation { person(id: "1") { familyName } }' })}`,
      headers: { ...open, 'apollo-require-preflight': 'true' },
    }),
    status: 405,
    code: 'BAD_REQUEST',
    message: /GET requests only support query operations/,
  },
  {
    // The pre-flight's own bound on the fields it checks, once fragments are inlined.
    name: 'a fragment fan-out of 2^30 fields',
    request: () => ({
      body: json(
        `{ person(id: "1") { ...F0 } } ${repeat(30, (index) => `fragment F${index} on Person { ...F${index + 1} ...F${index + 1} }`)} fragment F30 on Person { familyName }`,
      ),
    }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /more than \d+ fields once its fragments are inlined/,
  },
];

async function send(attack: Attack): Promise<{ status: number; body: GraphQLBody; ms: number }> {
  const { method = 'POST', search = '', headers, body } = attack.request();
  const started = performance.now();
  const response = await fetch(`${gateway.url}${search}`, {
    method,
    headers: { 'content-type': 'application/json', ...(headers ?? open) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as GraphQLBody,
    ms: performance.now() - started,
  };
}

describe('the attack corpus', () => {
  it.each(ATTACKS)('refuses $name: $status $code', async (attack) => {
    civilStatus.clear();
    familyBenefits.clear();
    const { status, body, ms } = await send(attack);
    expect({ status, codes: body.errors?.map((error) => error.extensions?.code) }).toEqual({
      status: attack.status,
      codes: [attack.code],
    });
    const [error] = body.errors ?? [];
    expect(error?.message).not.toBe('Unexpected error.');
    expect(error?.extensions).not.toHaveProperty('stacktrace');
    if (attack.message !== undefined) expect(error?.message).toMatch(attack.message);
    if (attack.extensions !== undefined) expect(error?.extensions).toMatchObject(attack.extensions);
    expect(body.data ?? undefined).toBeUndefined();
    expect(ms).toBeLessThan(BOUNDED_MS);
    // Refused before planning: no data holder was asked anything.
    expect([...civilStatus.received, ...familyBenefits.received]).toEqual([]);
  });

  it("checks a purpose's tighter depth even for a document the gateway already validated", async () => {
    const text = '{ person(id: "1") { familyBenefits { childCount } } }';
    const first = await send({ ...ATTACKS[0], request: () => ({ body: json(text) }) } as Attack);
    expect(first.status).toBe(200);
    const again = await send({
      ...ATTACKS[0],
      request: () => ({ headers: tight, body: json(text) }),
    } as Attack);
    expect(again.status).toBe(400);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('serves data named like introspection as data, under the purpose', async () => {
    const aliased = await send({
      ...ATTACKS[0],
      request: () => ({ body: json('{ __schema: person(id: "1") { familyName } }') }),
    } as Attack);
    expect(aliased).toMatchObject({
      status: 200,
      body: { data: { __schema: { familyName: 'Lovelace' } } },
    });
    const fragment = await send({
      ...ATTACKS[0],
      request: () => ({
        body: json('{ ...__schema } fragment __schema on Query { person(id: "1") { familyName } }'),
      }),
    } as Attack);
    expect(fragment).toMatchObject({
      status: 200,
      body: { data: { person: { familyName: 'Lovelace' } } },
    });
  });

  it('answers a fragment fan-out of 2^10 fields quickly, as execution merges it', async () => {
    const fragments = repeat(
      10,
      (index) => `fragment F${index} on Person { ...F${index + 1} ...F${index + 1} }`,
    );
    const result = await send({
      ...ATTACKS[0],
      request: () => ({
        body: json(
          `{ person(id: "1") { ...F0 } } ${fragments} fragment F10 on Person { familyName }`,
        ),
      }),
    } as Attack);
    expect(result).toMatchObject({
      status: 200,
      body: { data: { person: { familyName: 'Lovelace' } } },
    });
    expect(result.ms).toBeLessThan(BOUNDED_MS);
  });

  it('still answers a normal query, and real introspection, after the corpus', async () => {
    const normal = await send({
      ...ATTACKS[0],
      request: () => ({
        body: json('{ person(id: "2") { familyName familyBenefits { childCount } } }'),
      }),
    } as Attack);
    expect(normal).toMatchObject({
      status: 200,
      body: { data: { person: { familyName: 'Pascal', familyBenefits: { childCount: 2 } } } },
    });
    const introspection = await send({
      ...ATTACKS[0],
      request: () => ({ headers: {}, body: json('{ s: __schema { queryType { name } } }') }),
    } as Attack);
    expect(introspection).toMatchObject({
      status: 200,
      body: { data: { s: { queryType: { name: 'Query' } } } },
    });
  });
});
