import type { Attributes, AttributeValue, SpanContext } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Wraps the exporter so that only attributes named in `allowed` ever leave
 * the process. Our own spans set nothing else; this is the guarantee for the
 * spans of libraries (@apollo/gateway records the client's operation name,
 * and the query text or error messages when so configured), whatever a
 * future version adds: no personal data in traces (DESIGN.md).
 *
 * Also removed: status messages and event attributes (error messages may
 * quote arguments), and any `tracestate` (a client's vendor data).
 */
export class AllowListExporter implements SpanExporter {
  constructor(
    private readonly exporter: SpanExporter,
    private readonly allowed: ReadonlySet<string>,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(
      spans.map((span) => this.redact(span)),
      resultCallback,
    );
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  private keep(attributes: Attributes): Attributes {
    const kept: Record<string, AttributeValue | undefined> = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (this.allowed.has(key)) kept[key] = value;
    }
    return kept;
  }

  private redact(span: ReadableSpan): ReadableSpan {
    const spanContext = withoutTraceState(span.spanContext());
    const dropped =
      Object.keys(span.attributes).length - Object.keys(this.keep(span.attributes)).length;
    return {
      name: span.name,
      kind: span.kind,
      spanContext: () => spanContext,
      ...(span.parentSpanContext === undefined
        ? {}
        : { parentSpanContext: withoutTraceState(span.parentSpanContext) }),
      startTime: span.startTime,
      endTime: span.endTime,
      status: { code: span.status.code },
      attributes: this.keep(span.attributes),
      links: span.links.map((link) => ({ context: withoutTraceState(link.context) })),
      events: span.events.map((event) => ({ name: event.name, time: event.time })),
      duration: span.duration,
      ended: span.ended,
      resource: span.resource,
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount + dropped,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
  }
}

function withoutTraceState(spanContext: SpanContext): SpanContext {
  const { traceState: _traceState, ...rest } = spanContext;
  return rest;
}
