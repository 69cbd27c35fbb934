import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Attributes,
  type AttributeValue,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { type ExportResult, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
import type { GatewayContextClaims } from './gatewayContext.js';

/**
 * OpenTelemetry for a data holder: its own small setup, since the
 * subgraphs never import gateway code. The gateway's calls carry its
 * `traceparent`; each request is served inside a `passerelle.holder.request`
 * server span, child of the gateway's `gateway.fetch` span, whose
 * attributes come from the verified gateway context only.
 */

/** The server span of each GraphQL request a data holder serves. */
export const HOLDER_SPAN_NAME = 'passerelle.holder.request';

/**
 * The only attributes of a holder's span, and the only ones exported: the
 * purpose, re-user and request ids the gateway signed, and how it ended.
 * Never the query, its variables or a person identifier.
 */
export const HOLDER_SPAN_ATTRIBUTES = {
  requestId: 'passerelle.request.id',
  reuserId: 'passerelle.reuser.id',
  purposeId: 'passerelle.purpose.id',
  policyVersion: 'passerelle.policy.version',
  /** `purpose` (a re-user's request) or `service` (the gateway's schema read or probe). */
  contextScope: 'passerelle.context.scope',
  /** `served`, `refused` (4xx: no or a bad gateway context) or `failed`. */
  outcome: 'passerelle.outcome',
} as const;

const EXPORTED_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...Object.values(HOLDER_SPAN_ATTRIBUTES),
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
]);

/**
 * Only allowed attributes leave the process, whatever a library adds; no
 * status message, event attribute or `tracestate` either.
 */
class AllowListExporter implements SpanExporter {
  constructor(private readonly exporter: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans.map(redact), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }
}

function allowed(attributes: Attributes): Attributes {
  const kept: Record<string, AttributeValue | undefined> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (EXPORTED_ATTRIBUTES.has(key)) kept[key] = value;
  }
  return kept;
}

function redact(span: ReadableSpan): ReadableSpan {
  const { traceState: _state, ...spanContext } = span.spanContext();
  const parent = span.parentSpanContext;
  const attributes = allowed(span.attributes);
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    ...(parent === undefined ? {} : { parentSpanContext: { ...parent, traceState: undefined } }),
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes,
    links: [],
    events: span.events.map((event) => ({ name: event.name, time: event.time })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount:
      span.droppedAttributesCount +
      Object.keys(span.attributes).length -
      Object.keys(attributes).length,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount + span.links.length,
  };
}

/** The SDK as installed in this process. */
export type HolderTelemetry = Readonly<{
  tracesUrl: string | undefined;
  /** Exports the spans still buffered (before the process exits). */
  flush(): Promise<void>;
}>;

/** Process-wide, like the OpenTelemetry globals: the first call installs. */
let installed: HolderTelemetry | undefined;

/**
 * Installs the SDK once per process, `service.name` = the holder's name.
 * With `tracesUrl`, spans are exported in batches over OTLP/HTTP; the
 * holder follows the gateway's sampling decision (the `traceparent` flag).
 * Without it, nothing is recorded or exported.
 */
export function installHolderTelemetry(options: {
  serviceName: string;
  tracesUrl: string | undefined;
}): HolderTelemetry {
  if (installed !== undefined) return installed;
  const { tracesUrl } = options;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    sampler:
      tracesUrl === undefined
        ? new AlwaysOffSampler()
        : new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors:
      tracesUrl === undefined
        ? []
        : [
            new BatchSpanProcessor(
              new AllowListExporter(new OTLPTraceExporter({ url: tracesUrl })),
            ),
          ],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  installed = Object.freeze({ tracesUrl, flush: () => provider.forceFlush() });
  return installed;
}

/** A holder request's span, to say what the verified gateway context binds it to. */
export type HolderRequestSpan = {
  annotate(gatewayContext: GatewayContextClaims): void;
};

/**
 * Serves one request inside its server span, continuing the trace of the
 * gateway's `traceparent`. The span ends when the response is sent or the
 * connection closes.
 */
export function traceHolderRequest(
  request: IncomingMessage,
  response: ServerResponse,
  serve: (span: HolderRequestSpan) => Promise<void>,
): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span: Span = trace.getTracer('passerelle-data-holder').startSpan(
    HOLDER_SPAN_NAME,
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method ?? 'GET' },
    },
    parent,
  );
  response.once('close', () => {
    const status = response.statusCode;
    const finished = response.writableFinished;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    span.setAttribute(
      HOLDER_SPAN_ATTRIBUTES.outcome,
      !finished || status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'served',
    );
    if (!finished || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  const annotate = (gatewayContext: GatewayContextClaims) => {
    span.setAttribute(HOLDER_SPAN_ATTRIBUTES.contextScope, gatewayContext.scope);
    if (gatewayContext.scope !== 'purpose') return;
    span.setAttributes({
      [HOLDER_SPAN_ATTRIBUTES.requestId]: gatewayContext.requestId,
      [HOLDER_SPAN_ATTRIBUTES.reuserId]: gatewayContext.reuser,
      [HOLDER_SPAN_ATTRIBUTES.purposeId]: gatewayContext.purpose,
      [HOLDER_SPAN_ATTRIBUTES.policyVersion]: gatewayContext.policyVersion,
    });
  };
  return context.with(trace.setSpan(parent, span), () => serve({ annotate }));
}
