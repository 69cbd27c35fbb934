import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import { IntrospectionInSandboxOnlyRule } from '../../../gateway/graphql/introspectionInSandboxOnly.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { TEST_AUDIENCE } from '../../support/asReuser.js';
import { startTestGateway } from '../../support/testGateway.js';
import '../../support/context.js';
import {
  createTinyPolicies,
  startAgesSubgraph,
  startPeopleSubgraph,
  type TinySubgraph,
  tinyHeaders,
} from './tinySubgraphs.js';

// What a browser may do with the gateway (DOMAIN.md S7): no cross-site
// reads unless the operator lists the origins (CORS), and no introspection
// outside the sandbox. CSRF prevention is tested in gatewayHttp.test.ts.

const ALLOWED = 'https://app.commune-a.example';
const policies = createTinyPolicies();
let subgraphs: TinySubgraph[];
let closed: RunningGateway;
let open: RunningGateway;

function start(overrides: Record<string, string> = {}): Promise<RunningGateway> {
  return startTestGateway(
    parseGatewayConfig({
      PASSERELLE_PORT: '0',
      PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
      PASSERELLE_SUBGRAPHS: subgraphs.map(({ name, url }) => `${name}=${url}`).join(','),
      PASSERELLE_POLICIES_DIR: policies.dir,
      PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      PASSERELLE_LOG_LEVEL: 'silent',
      ...overrides,
    }),
  );
}

beforeAll(async () => {
  subgraphs = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
  [closed, open] = await Promise.all([
    start(),
    start({ PASSERELLE_CORS_ORIGINS: `${ALLOWED}, https://other.example:8443` }),
  ]);
});

afterAll(async () => {
  await Promise.all([closed?.stop(), open?.stop()]);
  await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  policies.remove();
});

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });
}

async function queryFrom(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, ...(await tinyHeaders()) },
    body: JSON.stringify({ query: '{ person(id: "1") { name } }' }),
  });
}

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS', () => {
  it('sends no CORS header at all unless origins are configured', async () => {
    const answer = await queryFrom(closed.url, ALLOWED);
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer)).toEqual([]);
    const refused = await preflight(closed.url, ALLOWED);
    expect(refused.status).toBe(405);
    expect(corsHeaders(refused)).toEqual([]);
  });

  it('answers the preflight of a configured origin, without credentials', async () => {
    const response = await preflight(open.url, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type, authorization',
    );
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('lets a configured origin read answers and their request id', async () => {
    const response = await queryFrom(open.url, ALLOWED);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toContain(
      'passerelle-request-id',
    );
  });

  it('gives any other origin nothing', async () => {
    for (const origin of ['https://evil.example', 'https://app.commune-a.example.evil.example']) {
      expect(corsHeaders(await preflight(open.url, origin))).toEqual([]);
      expect(corsHeaders(await queryFrom(open.url, origin))).toEqual([]);
    }
  });

  it('refuses origins that are not plain origins in the configuration', () => {
    for (const origins of ['*', 'https://app.example/path', 'app.example']) {
      expect(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: 'tax=http://127.0.0.1:1/graphql',
          PASSERELLE_CORS_ORIGINS: origins,
        }),
      ).toThrow(/PASSERELLE_CORS_ORIGINS: .* must be an origin/);
    }
  });
});

describe('introspection outside the sandbox', () => {
  const schema = buildSchema('type Query { person: String }');

  it('is refused by the production validation rule, naming why', () => {
    for (const text of [
      '{ __schema { queryType { name } } }',
      '{ __type(name: "Query") { name } }',
    ]) {
      const errors = validate(schema, parse(text), [IntrospectionInSandboxOnlyRule]);
      expect(errors.map((error) => error.extensions.code)).toEqual(['INTROSPECTION_DISABLED']);
    }
  });

  it('leaves __typename and data fields alone', () => {
    expect(
      validate(schema, parse('{ __typename person }'), [IntrospectionInSandboxOnlyRule]),
    ).toEqual([]);
  });
});
