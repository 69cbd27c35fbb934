import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
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

// Without OTEL_EXPORTER_OTLP_ENDPOINT the gateway exports nothing, yet every
// request still gets a trace id: the client's when it sends a traceparent,
// returned to it and carried to the subgraphs. Export itself is checked
// end to end in test/integration/tracing.test.ts.

const policies = createTinyPolicies();
let people: TinySubgraph;
let ages: TinySubgraph;
let gateway: RunningGateway;

beforeAll(async () => {
  [people, ages] = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
  gateway = await startTestGateway(
    parseGatewayConfig({
      PASSERELLE_POLICIES_DIR: policies.dir,
      PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      PASSERELLE_PORT: '0',
      PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
      PASSERELLE_SUBGRAPHS: [people, ages].map((s) => `${s.name}=${s.url}`).join(','),
      PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
      PASSERELLE_LOG_LEVEL: 'silent',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
    }),
  );
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([people?.stop(), ages?.stop()]);
  policies.remove();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

async function askPersonAndAge(headers: Record<string, string> = {}) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await tinyHeaders()), ...headers },
    body: JSON.stringify({ query: '{ person(id: "1") { name age } }' }),
  });
  return { response, body: (await response.json()) as { data?: unknown; errors?: unknown } };
}

describe('tracing without a collector', () => {
  it("continues the client's trace, returns it and carries it to every subgraph", async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const before = { people: people.traceparents.length, ages: ages.traceparents.length };
    const { response, body } = await askPersonAndAge({
      traceparent: `00-${traceId}-${clientSpanId}-01`,
    });
    expect(response.status).toBe(200);
    expect(body).toEqual({ data: { person: { name: 'Ada', age: 36 } } });
    expect(response.headers.get('passerelle-trace-id')).toBe(traceId);
    const returned = TRACEPARENT.exec(response.headers.get('traceparent') ?? '');
    expect(returned?.[1]).toBe(traceId);
    expect(returned?.[2]).not.toBe(clientSpanId);

    const sent = [
      ...people.traceparents.slice(before.people),
      ...ages.traceparents.slice(before.ages),
    ];
    expect(sent).toHaveLength(2);
    for (const header of sent) {
      const parsed = TRACEPARENT.exec(header);
      expect(parsed?.[1], header).toBe(traceId);
      expect(parsed?.[2]).not.toBe(clientSpanId);
      // Not sampled: with no collector, no span is recorded, so none can be exported.
      expect(parsed?.[3]).toBe('00');
    }
  });

  it('gives a request without (or with an unusable) traceparent a fresh trace of its own', async () => {
    const ids = new Set<string>();
    const requests: Record<string, string>[] = [{}, {}, { traceparent: 'not-a-trace-context' }];
    for (const headers of requests) {
      const { response, body } = await askPersonAndAge(headers);
      expect(body).toEqual({ data: { person: { name: 'Ada', age: 36 } } });
      const traceId = response.headers.get('passerelle-trace-id') ?? '';
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(traceId).not.toBe('0'.repeat(32));
      expect(response.headers.get('traceparent')).toContain(`-${traceId}-`);
      ids.add(traceId);
    }
    expect(ids.size).toBe(3);
  });

  it('names the trace on refusals too, and not on probes', async () => {
    const refused = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ person(id: "1") { name } }' }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.headers.get('passerelle-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    const health = await fetch(gateway.url.replace(/\/graphql$/, '/health'));
    expect(health.status).toBe(200);
    expect(health.headers.get('passerelle-trace-id')).toBeNull();
  });
});
