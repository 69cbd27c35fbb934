import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { GatewayConfig, RunningGateway } from '../../../gateway/index.js';
import { TEST_AUDIENCE } from '../../support/asReuser.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  createTinyPolicies,
  startAgesSubgraph,
  startPeopleSubgraph,
  type TinySubgraph,
  tinyHeaders,
} from './tinySubgraphs.js';
import '../../support/context.js';

type GraphQLBody = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
};

const SUBGRAPH_TIMEOUT_MS = 1_000;
const policies = createTinyPolicies();

function gatewayConfig(subgraphs: TinySubgraph[], mode: 'sandbox' | 'production'): GatewayConfig {
  return parseGatewayConfig({
    PASSERELLE_MODE: mode,
    PASSERELLE_POLICIES_DIR: policies.dir,
    PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
    PASSERELLE_PORT: '0',
    // The gateway keeps its context key pair there (keys/), shared by the run's processes.
    PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
    PASSERELLE_SUBGRAPHS: subgraphs.map((subgraph) => `${subgraph.name}=${subgraph.url}`).join(','),
    PASSERELLE_SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
    PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
    PASSERELLE_LOG_LEVEL: 'silent',
  });
}

let people: TinySubgraph;
let ages: TinySubgraph;
let gateway: RunningGateway;
let base: string;

beforeAll(async () => {
  [people, ages] = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
  gateway = await startTestGateway(gatewayConfig([people, ages], 'sandbox'));
  base = gateway.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([people?.stop(), ages?.stop()]);
  policies.remove();
});

function postJson(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

/** A query for data, under the tiny subgraphs' purpose. */
async function query(text: string, variables?: Record<string, unknown>): Promise<Response> {
  return postJson(JSON.stringify({ query: text, variables }), await tinyHeaders());
}

async function expectError(response: Response, status: number, code: string): Promise<GraphQLBody> {
  const body = (await response.json()) as GraphQLBody;
  expect(response.status).toBe(status);
  expect(body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
  for (const error of body.errors ?? []) {
    expect(error.message).not.toBe('');
    expect(error.extensions).not.toHaveProperty('stacktrace');
  }
  return body;
}

describe('gateway HTTP layer', () => {
  it('answers /health with 200', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('counts refusals per code in Prometheus format at /metrics', async () => {
    const counted = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = /^passerelle_refusals_total\{code="GRAPHQL_PARSE_FAILED"\} (\d+)$/m.exec(text);
      return Number(line?.[1] ?? 0);
    };
    const before = await counted();
    await expectError(await query('{ person(id: "1") { name '), 400, 'GRAPHQL_PARSE_FAILED');
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('# TYPE passerelle_refusals_total counter');
    expect(await counted()).toBe(before + 1);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('gives request durations by outcome as a Prometheus histogram', async () => {
    const countOf = (text: string, outcome: string) =>
      Number(
        new RegExp(
          `^passerelle_request_duration_seconds_count\\{outcome="${outcome}"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    const before = await (await fetch(`${base}/metrics`)).text();
    expect((await query('{ person(id: "1") { name } }')).status).toBe(200);
    await expectError(await query('{ person(id: "1") { name '), 400, 'GRAPHQL_PARSE_FAILED');
    const after = await (await fetch(`${base}/metrics`)).text();
    expect(countOf(after, 'served')).toBe(countOf(before, 'served') + 1);
    expect(countOf(after, 'refused')).toBe(countOf(before, 'refused') + 1);
    expect(after).toContain('# TYPE passerelle_request_duration_seconds histogram');
    // Buckets are cumulative and end with +Inf, equal to the count.
    const served = [
      ...after.matchAll(
        /^passerelle_request_duration_seconds_bucket\{outcome="served",le="([^"]+)"\} (\d+)$/gm,
      ),
    ].map((match) => Number(match[2]));
    expect(served).toEqual([...served].sort((a, b) => a - b));
    expect(served.at(-1)).toBe(countOf(after, 'served'));
  });

  it('answers /ready with 200 when every subgraph answers', async () => {
    const response = await fetch(`${base}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      subgraphs: [
        { name: 'civil-status', status: 'up' },
        { name: 'education', status: 'up' },
      ],
    });
  });

  it('resolves a query across both subgraphs, never cacheable', async () => {
    const response = await query('query Person($id: ID!) { person(id: $id) { name age } }', {
      id: '1',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ data: { person: { name: 'Ada', age: 36 } } });
  });

  it('serves GET queries that carry a CSRF preflight header', async () => {
    const search = new URLSearchParams({ query: '{ person(id: "2") { name } }' });
    const response = await fetch(`${gateway.url}?${search}`, {
      headers: { 'apollo-require-preflight': 'true', ...(await tinyHeaders()) },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { person: { name: 'Blaise' } } });
  });

  it('blocks GET queries without a CSRF preflight header', async () => {
    const search = new URLSearchParams({ query: '{ person(id: "2") { name } }' });
    await expectError(await fetch(`${gateway.url}?${search}`), 400, 'BAD_REQUEST');
  });

  it('refuses a GET without a query with 400 BAD_REQUEST', async () => {
    const response = await fetch(gateway.url, { headers: { 'apollo-require-preflight': 'true' } });
    await expectError(response, 400, 'BAD_REQUEST');
  });

  it('refuses malformed JSON with 400 BAD_REQUEST', async () => {
    const body = await expectError(await postJson('{"query": '), 400, 'BAD_REQUEST');
    expect(body.errors?.[0]?.message).toContain('not valid JSON');
  });

  it('refuses a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const huge = JSON.stringify({
      query: '{ __typename }',
      variables: { padding: 'x'.repeat(2 * 1024 * 1024) },
    });
    await expectError(await postJson(huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses an oversized chunked body with 413 PAYLOAD_TOO_LARGE', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(256 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 8; index += 1) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{ __typename }"}',
    });
    await expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an Accept header it cannot satisfy with 406 NOT_ACCEPTABLE', async () => {
    const response = await postJson(JSON.stringify({ query: '{ __typename }' }), {
      accept: 'text/html',
    });
    await expectError(response, 406, 'NOT_ACCEPTABLE');
  });

  it('tells persisted-query clients to send the full query', async () => {
    const body = JSON.stringify({
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    await expectError(await postJson(body), 200, 'PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('refuses other methods on /graphql with 405', async () => {
    const response = await fetch(gateway.url, { method: 'PUT' });
    await expectError(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.get('allow')).toBe('GET, POST');
  });

  it('answers unknown paths with 404 NOT_FOUND', async () => {
    await expectError(await fetch(`${base}/graphiql`), 404, 'NOT_FOUND');
  });

  it('reports syntax errors as 400 GRAPHQL_PARSE_FAILED', async () => {
    const body = await expectError(
      await query('{ person(id: "1") { name '),
      400,
      'GRAPHQL_PARSE_FAILED',
    );
    expect(body.errors?.[0]?.message).toContain('Syntax Error');
  });

  it('reports unknown fields as 400 GRAPHQL_VALIDATION_FAILED naming the field', async () => {
    const body = await expectError(
      await query('{ person(id: "1") { salary } }'),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(body.errors?.[0]?.message).toContain('salary');
  });

  it('reports missing variables as 400 BAD_USER_INPUT', async () => {
    await expectError(
      await query('query ($id: ID!) { person(id: $id) { name } }'),
      400,
      'BAD_USER_INPUT',
    );
  });

  it('allows introspection in the sandbox, without a purpose', async () => {
    const response = await postJson(
      JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('turns a subgraph timeout into SUBGRAPH_UNAVAILABLE (503 when nothing is served)', async () => {
    const started = Date.now();
    const body = await expectError(
      await query('{ waitFor(ms: 3000) }'),
      503,
      'SUBGRAPH_UNAVAILABLE',
    );
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(body.errors?.[0]?.extensions?.serviceName).toBe('education');
    expect(body.errors?.[0]?.message).toContain('"education"');
  });

  it('serves the other fields, with 200, when one subgraph times out', async () => {
    const response = await query('{ person(id: "1") { name } waitFor(ms: 3000) }');
    const body = (await response.json()) as GraphQLBody;
    expect(response.status).toBe(200);
    expect(body.data).toEqual({ person: { name: 'Ada' }, waitFor: null });
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
  });

  // Last: stops the `ages` subgraph (served as `education`) for good.
  it('reports a stopped subgraph: /ready 503 naming it, its fields SUBGRAPH_UNAVAILABLE', async () => {
    await ages.stop();

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'not-ready',
      subgraphs: [
        { name: 'civil-status', status: 'up' },
        { name: 'education', status: 'down', reason: 'unreachable' },
      ],
    });

    const partial = await query('{ person(id: "1") { name age } }');
    const body = (await partial.json()) as GraphQLBody;
    expect(partial.status).toBe(200);
    expect(body.data).toEqual({ person: { name: 'Ada', age: null } });
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);

    await expectError(await query('{ waitFor(ms: 1) }'), 503, 'SUBGRAPH_UNAVAILABLE');
  });
});

describe('gateway in production mode', () => {
  let subgraphs: TinySubgraph[];
  let production: RunningGateway;

  beforeAll(async () => {
    subgraphs = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
    production = await startTestGateway(gatewayConfig(subgraphs, 'production'));
  });

  afterAll(async () => {
    await production?.stop();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  });

  it('refuses every GraphQL request without credentials with 401 AUTH_MISSING, even __typename', async () => {
    for (const text of ['{ __schema { queryType { name } } }', '{ __typename }']) {
      const refused = await fetch(production.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: text }),
      });
      await expectError(refused, 401, 'AUTH_MISSING');
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('refuses a sandbox purpose to an authenticated re-user', async () => {
    const refused = await fetch(production.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await tinyHeaders()) },
      body: JSON.stringify({ query: '{ person(id: "1") { name } }' }),
    });
    await expectError(refused, 403, 'PURPOSE_NOT_ACTIVE');
  });
});

describe('gateway stop', () => {
  let subgraphs: TinySubgraph[];
  let stopping: RunningGateway;

  beforeAll(async () => {
    subgraphs = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
    stopping = await startTestGateway(gatewayConfig(subgraphs, 'sandbox'));
  });

  afterAll(async () => {
    await stopping?.stop();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  });

  it('finishes an in-flight request when stopped, then refuses connections', async () => {
    const inFlight = fetch(stopping.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await tinyHeaders()) },
      // A subgraph call that lasts, so the request is surely in flight when the stop begins.
      body: JSON.stringify({ query: '{ person(id: "1") { name } waitFor(ms: 600) }' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stopping.stop();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { person: { name: 'Ada' }, waitFor: 600 } });
    await expect(fetch(`${stopping.url.replace(/\/graphql$/, '')}/health`)).rejects.toThrow();
  });
});
