import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { AllowListExporter } from './allowListExporter.js';
import { EXPORTED_ATTRIBUTES } from './requestSpan.js';

/** The gateway's `service.name` in every span it exports. */
export const GATEWAY_SERVICE_NAME = 'passerelle-gateway';

/** The OpenTelemetry SDK as installed in this process. */
export type Telemetry = Readonly<{
  /** The OTLP/HTTP URL spans are exported to; `undefined`: none are. */
  tracesUrl: string | undefined;
  /** Exports the spans still buffered (at stop, so that the last requests are not lost). */
  flush(): Promise<void>;
}>;

/**
 * Process-wide, like the OpenTelemetry globals it sets: the first call
 * installs, later ones (several in-process gateways in one test process)
 * get the same installation, whatever they ask.
 */
let installed: Telemetry | undefined;

/**
 * Installs the OpenTelemetry SDK once per process: a tracer provider with
 * the AsyncLocalStorage context manager (so that @apollo/gateway's spans
 * become children of the request span) and the W3C trace-context
 * propagator only (no baggage: a client's baggage is not carried to the
 * data holders).
 *
 * With `tracesUrl`, every request is recorded and exported in batches over
 * OTLP/HTTP (the exporter and the batch processor also read the standard
 * `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*` variables). The gateway does not
 * follow a client's "not sampled" flag: its operators decide what is
 * traced, not re-users; sample in the collector if needed. Without it,
 * spans are not recorded, yet every request still gets a trace id that
 * reaches the data holders and the client.
 */
export function installTelemetry(options: { tracesUrl: string | undefined }): Telemetry {
  if (installed !== undefined) return installed;
  const { tracesUrl } = options;
  const exporting = tracesUrl !== undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: GATEWAY_SERVICE_NAME }),
    sampler: exporting
      ? new ParentBasedSampler({
          root: new AlwaysOnSampler(),
          remoteParentNotSampled: new AlwaysOnSampler(),
        })
      : new AlwaysOffSampler(),
    spanProcessors: exporting
      ? [
          new BatchSpanProcessor(
            new AllowListExporter(new OTLPTraceExporter({ url: tracesUrl }), EXPORTED_ATTRIBUTES),
          ),
        ]
      : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  installed = Object.freeze({ tracesUrl, flush: () => provider.forceFlush() });
  return installed;
}
