import type { ControlFetch } from './fetchers.js';

/** One subgraph's answer to a readiness probe. */
export type SubgraphProbe =
  | Readonly<{ name: string; status: 'up' }>
  | Readonly<{ name: string; status: 'down'; reason: string }>;

const TYPENAME_PROBE = JSON.stringify({ query: '{ __typename }' });

/**
 * Sends `{ __typename }` to the subgraph's GraphQL URL: it proves the very
 * endpoint queries go to answers GraphQL, without touching any data.
 */
async function probeSubgraph(
  subgraph: Readonly<{ name: string; url: string }>,
  options: ProbeOptions,
): Promise<SubgraphProbe> {
  const { timeoutMs } = options;
  try {
    const response = await options.fetch(subgraph.url, {
      method: 'POST',
      headers: {
        ...(await options.headersFor(subgraph.name)),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: TYPENAME_PROBE,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = await response.json().catch(() => undefined);
    const answered =
      response.ok &&
      typeof body === 'object' &&
      body !== null &&
      'data' in body &&
      typeof body.data === 'object' &&
      body.data !== null &&
      '__typename' in body.data;
    if (answered) return { name: subgraph.name, status: 'up' };
    const refused = response.status === 401 || response.status === 403;
    return {
      name: subgraph.name,
      status: 'down',
      reason: refused
        ? `refused the gateway's signed context (HTTP ${response.status})`
        : `unexpected answer (HTTP ${response.status})`,
    };
  } catch (error) {
    // Global fetch says TimeoutError; node-fetch (with TLS to subgraphs) AbortError.
    const timedOut =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      name: subgraph.name,
      status: 'down',
      reason: timedOut ? `no answer within ${timeoutMs} ms` : 'unreachable',
    };
  }
}

export type ProbeOptions = {
  /** Each probe's own deadline. */
  timeoutMs: number;
  fetch: ControlFetch;
  /** The gateway's signed service context for the subgraph named `name`. */
  headersFor: (name: string) => Promise<Record<string, string>>;
};

/** Probes every subgraph in parallel; each gets `timeoutMs`. */
export function probeSubgraphs(
  subgraphs: readonly Readonly<{ name: string; url: string }>[],
  options: ProbeOptions,
): Promise<SubgraphProbe[]> {
  return Promise.all(subgraphs.map((subgraph) => probeSubgraph(subgraph, options)));
}
