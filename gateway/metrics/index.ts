/** In-process metrics: counters the gateway keeps (refusals per error code). */
export {
  createMetricsRegistry,
  DURATION_BUCKETS,
  type DurationHistogram,
  type MetricsRegistry,
  prometheusText,
  REFUSALS,
  refusalCountingPlugin,
} from './metricsRegistry.js';
