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
};

/** The counter of client-visible refusals, labelled by error code. */
export const REFUSALS = 'refusals';

export function createMetricsRegistry(): MetricsRegistry {
  const counters = new Map<string, Map<string, number>>();
  return {
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
  return `${lines.join('\n')}\n`;
}
