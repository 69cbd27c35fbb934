/** In-process metrics: counters the gateway keeps (refusals per error code). */
export {
  createMetricsRegistry,
  type MetricsRegistry,
  prometheusText,
  REFUSALS,
  refusalCountingPlugin,
} from './metricsRegistry.js';
