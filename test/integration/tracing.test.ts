import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NAMED_PEOPLE } from '../../subgraphs/sandbox/index.js';
import { asReuser } from '../support/asReuser.js';
import '../support/context.js';
import { postGraphQL } from '../support/graphql.js';
import { TEST_DATASET } from '../support/sandboxDataset.js';
import { type RunningSystem, startSystem } from '../support/system.js';

// One trace per request, end to end: the real system (launcher, gateway and
// five data holder processes) exports its spans over OTLP/HTTP to a tiny
// collector started here. A request sent with the client's own traceparent
// must come back with that trace id, and every process's spans must land in
// that trace, the holders' under the gateway's fetches, with no person's
// identifier or name anywhere in them.

/** How long spans may take to arrive (the batch delay is set to 100 ms below). */
const SPANS_DEADLINE_MS = 20_000;

type OtlpValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean };
type OtlpAttribute = { key: string; value: OtlpValue };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
};
type OtlpBody = {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
};

/** A span as received, with its service and its attributes as a record. */
type ReceivedSpan = {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean | undefined>;
};

/** OTLP/JSON ids are hex; some exporters write them in base64. */
function hexId(id: string | undefined): string {
  if (id === undefined || id === '') return '';
  return /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex');
}

function attributeValue(value: OtlpValue): string | number | boolean | undefined {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.boolValue;
}

function recordOf(attributes: OtlpAttribute[] = []) {
  return Object.fromEntries(attributes.map(({ key, value }) => [key, attributeValue(value)]));
}

/** A minimal OTLP/HTTP JSON receiver: keeps every POST /v1/traces body. */
async function startCollector() {
  const bodies: OtlpBody[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const text = (
        request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
      ).toString('utf8');
      bodies.push(JSON.parse(text) as OtlpBody);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies,
    spans(): ReceivedSpan[] {
      return bodies.flatMap((body) =>
        (body.resourceSpans ?? []).flatMap((resourceSpans) => {
          const service = String(recordOf(resourceSpans.resource?.attributes)['service.name']);
          return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
            (scope.spans ?? []).map((span) => ({
              service,
              traceId: hexId(span.traceId),
              spanId: hexId(span.spanId),
              parentSpanId: hexId(span.parentSpanId),
              name: span.name,
              kind: span.kind,
              attributes: recordOf(span.attributes),
            })),
          );
        }),
      );
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every text in the received bodies but ids and times: where personal data could hide. */
function textsOf(value: unknown, key = ''): string[] {
  if (/^(traceId|spanId|parentSpanId|\w*TimeUnixNano)$/.test(key)) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item) => textsOf(item));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([name, item]) => textsOf(item, name));
  }
  return [];
}

let collector: Awaited<ReturnType<typeof startCollector>>;
let system: RunningSystem;

beforeAll(async () => {
  collector = await startCollector();
  system = await startSystem({
    dataDir: inject('sandboxDataDir'),
    ...TEST_DATASET,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
});

afterAll(async () => {
  expect(await system?.stop()).toBe(0);
  await collector?.stop();
});

/** Waits (bounded) until the spans of `traceId` satisfy `complete`. */
async function spansOfTrace(
  traceId: string,
  complete: (spans: ReceivedSpan[]) => boolean,
): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + SPANS_DEADLINE_MS;
  for (;;) {
    const spans = collector.spans().filter((span) => span.traceId === traceId);
    if (complete(spans)) return spans;
    if (Date.now() > deadline) {
      const seen = spans.map((span) => `${span.service}:${span.name}`).join(', ');
      throw new Error(
        `spans of trace ${traceId} incomplete after ${SPANS_DEADLINE_MS} ms: ${seen}`,
      );
    }
    await sleep(100);
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const SERVER = 2; // OTLP SpanKind SPAN_KIND_SERVER
const MONTH = TEST_DATASET.asOf.slice(0, 7);
const GRANT = { reuser: 'departement-de-la-haute-vallee', purpose: 'secondary-school-grant' };
// The quotient from family benefits, each child's enrolment and scholarship
// from education. The client names its operation after the person: the
// operation name must not reach the traces either.
const GRANT_QUERY = /* GraphQL */ `
  query DelormeGrant($n: String!) { beneficiaryByFileNumber(fileNumber: $n) { familyBenefits {
    familyQuotient(month: "${MONTH}") { value }
    children { student { currentEnrolment { enrolled } isScholarshipHolder currentScholarship { level } } }
  } } }`;
const { singleParent, singleParentElderChild, singleParentYoungerChild } = NAMED_PEOPLE;

describe('one trace per request, exported over OTLP', () => {
  it("continues the client's trace through the gateway and every data holder involved", async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const response = await postGraphQL(
      system.gatewayUrl,
      GRANT_QUERY,
      { n: singleParent.benefitsFileNumber },
      {
        ...(await asReuser(GRANT.reuser, GRANT.purpose, { audience: system.gatewayUrl })),
        traceparent: `00-${traceId}-${clientSpanId}-01`,
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.headers.get('passerelle-trace-id')).toBe(traceId);
    expect(response.headers.get('traceparent')).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
    const requestId = response.headers.get('passerelle-request-id');

    const isHolderSpan = (span: ReceivedSpan) => span.name === 'passerelle.holder.request';
    const spans = await spansOfTrace(traceId, (received) => {
      const fetches = received.filter((span) => span.name === 'gateway.fetch');
      return (
        received.some((span) => span.name === 'passerelle.request') &&
        fetches.length > 0 &&
        fetches.every((fetch) =>
          received.some((span) => isHolderSpan(span) && span.parentSpanId === fetch.spanId),
        )
      );
    });

    // The gateway's own span: a child of the client's, saying who asked, never what.
    const requestSpan = spans.find((span) => span.name === 'passerelle.request');
    expect(requestSpan).toMatchObject({
      service: 'passerelle-gateway',
      parentSpanId: clientSpanId,
      kind: SERVER,
      attributes: {
        'passerelle.request.id': requestId,
        'passerelle.reuser.id': GRANT.reuser,
        'passerelle.purpose.id': GRANT.purpose,
        'passerelle.outcome': 'served',
        'http.response.status_code': 200,
      },
    });
    // @apollo/gateway's spans are children of it.
    const apolloRequest = spans.find((span) => span.name === 'gateway.request');
    expect(apolloRequest?.service).toBe('passerelle-gateway');
    expect(apolloRequest?.parentSpanId).toBe(requestSpan?.spanId);

    // Each fetch reached its data holder, whose span is the fetch's child.
    const fetches = spans.filter((span) => span.name === 'gateway.fetch');
    const holders = new Set<string>();
    for (const fetch of fetches) {
      expect(fetch.service).toBe('passerelle-gateway');
      const holderSpan = spans.find(
        (span) => isHolderSpan(span) && span.parentSpanId === fetch.spanId,
      );
      expect(holderSpan?.service).toBe(fetch.attributes.service);
      expect(holderSpan).toMatchObject({
        kind: SERVER,
        attributes: {
          'passerelle.request.id': requestId,
          'passerelle.reuser.id': GRANT.reuser,
          'passerelle.purpose.id': GRANT.purpose,
          'passerelle.outcome': 'served',
        },
      });
      holders.add(holderSpan?.service ?? '');
    }
    expect([...holders].sort()).toEqual(expect.arrayContaining(['education', 'family-benefits']));
    // Every holder span of the trace hangs under a fetch of the gateway.
    const fetchIds = new Set(fetches.map((fetch) => fetch.spanId));
    for (const span of spans.filter(isHolderSpan))
      expect(fetchIds.has(span.parentSpanId)).toBe(true);

    // No identifier or name of the people asked about or answered, anywhere.
    const people = [singleParent, singleParentElderChild, singleParentYoungerChild];
    const personal = people.flatMap((person) =>
      [
        person.personId,
        person.familyName,
        ...person.givenNames.split(' '),
        person.benefitsFileNumber,
        'taxNumber' in person ? person.taxNumber : undefined,
        'studentNumber' in person ? person.studentNumber : undefined,
        person.birth.kind === 'fixed' ? person.birth.date : undefined,
      ].filter((text): text is string => text !== undefined),
    );
    const texts = textsOf(collector.bodies);
    expect(texts).toContain(GRANT.purpose);
    for (const text of texts) {
      for (const value of personal) expect(text, `"${value}" in a span`).not.toContain(value);
    }
    for (const span of spans) expect(span.attributes).not.toHaveProperty('graphql.document');
  });

  it("records a request even when the client's traceparent says not sampled", async () => {
    const traceId = hex(16);
    const response = await postGraphQL(
      system.gatewayUrl,
      GRANT_QUERY,
      { n: singleParent.benefitsFileNumber },
      {
        ...(await asReuser(GRANT.reuser, GRANT.purpose, { audience: system.gatewayUrl })),
        traceparent: `00-${traceId}-${hex(8)}-00`,
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('passerelle-trace-id')).toBe(traceId);
    const spans = await spansOfTrace(traceId, (received) =>
      received.some((span) => span.name === 'passerelle.holder.request'),
    );
    expect(spans.some((span) => span.name === 'passerelle.request')).toBe(true);
  });
});
