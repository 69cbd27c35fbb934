import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * An in-process registry of counters, by name and label value: enough to
 * count refusals per error code until an exporter (OpenTelemetry metrics)
 * reads it. Nothing here is personal data: labels are codes, never values.
 */
export type MetricsRegistry = {
  /** Adds one to `name` for `label`. */
  increment(name: string, label: string): void;
  /** Every counter, by name then label, e.g. `{ refusals: { RATE_LIMITED: 2 } }`. */
  snapshot(): Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Records how long one GraphQL request took, by outcome (`served`, `refused`, `failed`). */
  observeDuration(outcome: string, seconds: number): void;
  /** The request durations so far, by outcome: cumulative counts per bucket, sum and count. */
  durations(): ReadonlyMap<string, Readonly<DurationHistogram>>;
};

/** Upper bounds of the request duration buckets, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export type DurationHistogram = {
  /** Requests at or under each bound of `DURATION_BUCKETS`, in order. */
  buckets: number[];
  sum: number;
  count: number;
};

/** The counter of client-visible refusals, labelled by error code. */
export const REFUSALS = 'refusals';

export function createMetricsRegistry(): MetricsRegistry {
  const counters = new Map<string, Map<string, number>>();
  const histograms = new Map<string, DurationHistogram>();
  return {
    observeDuration(outcome, seconds) {
      let histogram = histograms.get(outcome);
      if (histogram === undefined) {
        histogram = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
        histograms.set(outcome, histogram);
      }
      // Cumulative, as Prometheus reads them: a request counts in every bucket it fits.
      histogram.buckets = histogram.buckets.map((count, index) =>
        seconds <= (DURATION_BUCKETS[index] ?? Number.POSITIVE_INFINITY) ? count + 1 : count,
      );
      histogram.sum += seconds;
      histogram.count += 1;
    },
    durations: () => histograms,
    increment(name, label) {
      let counter = counters.get(name);
      if (counter === undefined) {
        counter = new Map();
        counters.set(name, counter);
      }
      counter.set(label, (counter.get(label) ?? 0) + 1);
    },
    snapshot() {
      return Object.fromEntries(
        [...counters].map(([name, counter]) => [name, Object.fromEntries(counter)]),
      );
    },
  };
}

/**
 * Counts the refusals Apollo Server reports (parse, validation, cost,
 * pre-flight...): each distinct error code once per request.
 */
export function refusalCountingPlugin<Context extends BaseContext>(
  metrics: MetricsRegistry,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          const codes = new Set(
            errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')),
          );
          for (const code of codes) metrics.increment(REFUSALS, code);
        },
      };
    },
  };
}

/** Prometheus metric names: `passerelle_<counter>_total`, the label named after what it counts. */
const EXPOSITION: Readonly<Record<string, { help: string; label: string }>> = {
  [REFUSALS]: { help: 'Requests refused, by error code.', label: 'code' },
};

/**
 * The counters in the Prometheus text exposition format (version 0.0.4),
 * for `GET /metrics`: what an operator's scraper reads.
 */
export function prometheusText(metrics: MetricsRegistry): string {
  const lines: string[] = [];
  for (const [name, counter] of Object.entries(metrics.snapshot())) {
    const metric = `passerelle_${name}_total`;
    const { help, label } = EXPOSITION[name] ?? { help: `Count of ${name}.`, label: 'label' };
    lines.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} counter`);
    for (const [value, count] of Object.entries(counter)) {
      lines.push(`${metric}{${label}="${value.replace(/["\\\n]/g, '_')}"} ${count}`);
    }
  }
  const histograms = metrics.durations();
  if (histograms.size > 0) {
    const metric = 'passerelle_request_duration_seconds';
    lines.push(
      `# HELP ${metric} GraphQL request duration, access record included, by outcome.`,
      `# TYPE ${metric} histogram`,
    );
    for (const [outcome, histogram] of histograms) {
      DURATION_BUCKETS.forEach((bound, index) => {
        lines.push(
          `${metric}_bucket{outcome="${outcome}",le="${bound}"} ${histogram.buckets[index]}`,
        );
      });
      lines.push(`${metric}_bucket{outcome="${outcome}",le="+Inf"} ${histogram.count}`);
      lines.push(`${metric}_sum{outcome="${outcome}"} ${histogram.sum}`);
      lines.push(`${metric}_count{outcome="${outcome}"} ${histogram.count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
