/**
 * OpenTelemetry for the gateway: the SDK installed once per process, one
 * server span per HTTP request continuing the client's W3C trace context,
 * `traceparent` on every subgraph fetch, and an allow-list of the span
 * attributes that may leave the process (no personal data in traces).
 */
export { GATEWAY_SERVICE_NAME, installTelemetry, type Telemetry } from './installTelemetry.js';
export {
  annotateRequest,
  currentTraceId,
  EXPORTED_ATTRIBUTES,
  injectTraceContext,
  type OutgoingHeaders,
  REQUEST_SPAN_ATTRIBUTES,
  REQUEST_SPAN_NAME,
  type RequestFacts,
  TRACE_RESPONSE_HEADERS,
  traceHttpRequest,
} from './requestSpan.js';
