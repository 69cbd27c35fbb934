import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  createContextKey,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';

/** The server span of each HTTP request the gateway serves. */
export const REQUEST_SPAN_NAME = 'passerelle.request';

/**
 * What the request span may say about a request, and nothing else: who
 * asks (organisation ids, never the agent or the reason, which may name
 * people), for which purpose, under which policies, and how it ended.
 * Never the query text, its variables or any person identifier.
 */
export const REQUEST_SPAN_ATTRIBUTES = {
  requestId: 'passerelle.request.id',
  reuserId: 'passerelle.reuser.id',
  purposeId: 'passerelle.purpose.id',
  policyVersion: 'passerelle.policy.version',
  /** `served` (2xx), `refused` (4xx) or `failed` (5xx, or the client went away). */
  outcome: 'passerelle.outcome',
  /** The catalogue code of a refusal made before GraphQL execution. */
  errorCode: 'passerelle.error.code',
} as const;

export type RequestFacts = Partial<Record<keyof typeof REQUEST_SPAN_ATTRIBUTES, string>>;

/**
 * Every attribute key that may leave the process (`AllowListExporter`):
 * ours, the HTTP ones, and those of @apollo/gateway's spans that say
 * nothing about the query's content (`service` names the subgraph of a
 * fetch). Its `graphql.operation.name` is dropped: the client chooses it.
 */
export const EXPORTED_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...Object.values(REQUEST_SPAN_ATTRIBUTES),
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  'service',
  'graphql.operation.type',
]);

/** Response headers naming the request's trace, for the operator to find it. */
export const TRACE_RESPONSE_HEADERS = {
  traceId: 'passerelle-trace-id',
  traceparent: 'traceparent',
} as const;

/** Routes named in spans; any other path is not repeated (a client may put anything in it). */
const KNOWN_ROUTES = new Set(['/graphql', '/keys', '/keys/revoke']);

const REQUEST_SPAN = createContextKey('passerelle request span');

function tracer() {
  return trace.getTracer('passerelle-gateway');
}

/**
 * The client's W3C trace context, if any: its trace continues through the
 * gateway. Its `tracestate` (vendor data, anything a client writes) is not
 * kept, so it reaches neither the data holders nor the exported spans.
 */
function clientContext(request: IncomingMessage) {
  const extracted = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, request.headers));
  if (extracted === undefined) return ROOT_CONTEXT;
  const { traceState: _dropped, ...spanContext } = extracted;
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

function outcomeOf(status: number, finished: boolean): string {
  if (!finished || status >= 500) return 'failed';
  return status >= 400 ? 'refused' : 'served';
}

/**
 * Serves one HTTP request inside its server span: the client's trace
 * context is continued, the span is active for everything `serve` does
 * (the pipeline, @apollo/gateway's spans, the subgraph fetches), and the
 * response names the trace in `Passerelle-Trace-Id` and `traceparent`. The
 * span ends when the response is sent or the connection closes.
 */
export function traceHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  serve: () => Promise<void>,
): Promise<void> {
  const parent = clientContext(request);
  const span = tracer().startSpan(
    REQUEST_SPAN_NAME,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method ?? 'GET',
        ...(KNOWN_ROUTES.has(path) ? { [ATTR_HTTP_ROUTE]: path } : {}),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span).setValue(REQUEST_SPAN, span);
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  response.setHeader(TRACE_RESPONSE_HEADERS.traceId, span.spanContext().traceId);
  if (carrier.traceparent !== undefined) {
    response.setHeader(TRACE_RESPONSE_HEADERS.traceparent, carrier.traceparent);
  }
  response.once('close', () => {
    const status = response.statusCode;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    span.setAttribute(
      REQUEST_SPAN_ATTRIBUTES.outcome,
      outcomeOf(status, response.writableFinished),
    );
    if (status >= 500 || !response.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return context.with(active, serve);
}

/** Adds what the pipeline learnt about the request to its span (no-op outside one). */
export function annotateRequest(facts: RequestFacts): void {
  const span = context.active().getValue(REQUEST_SPAN) as Span | undefined;
  if (span === undefined) return;
  for (const [fact, value] of Object.entries(facts)) {
    if (value === undefined) continue;
    span.setAttribute(REQUEST_SPAN_ATTRIBUTES[fact as keyof RequestFacts], value);
  }
}

/**
 * The trace id of the request being served (W3C format, 32 hex digits);
 * a fresh random one outside any span, so that a request always has one.
 */
export function currentTraceId(): string {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext !== undefined && isSpanContextValid(spanContext)) return spanContext.traceId;
  return randomUUID().replaceAll('-', '');
}

/** Headers of an outgoing call, as Apollo's `Headers`-like objects expose them. */
export type OutgoingHeaders = {
  set(name: string, value: string): void;
  delete(name: string): void;
};

/**
 * Sets `traceparent` on a call the gateway makes, naming the active span
 * (a subgraph fetch: @apollo/gateway's `gateway.fetch`) as the parent, and
 * removes whatever trace headers were there before.
 */
export function injectTraceContext(headers: OutgoingHeaders): void {
  headers.delete('traceparent');
  headers.delete('tracestate');
  propagation.inject(context.active(), headers, {
    set: (carrier, name, value) => carrier.set(name, value),
  });
}
