import { setTimeout as sleep } from 'node:timers/promises';

/** Why a subgraph's SDL could not be obtained before the deadline. */
export type SdlFetchFailure = Readonly<{ name: string; url: string; reason: string }>;

export class SubgraphSdlError extends Error {
  override readonly name = 'SubgraphSdlError';

  constructor(readonly failures: readonly SdlFetchFailure[]) {
    super(
      `Could not read the schema of ${failures.length} subgraph${failures.length === 1 ? '' : 's'}:\n${failures
        .map((failure) => `  - ${failure.name} (${failure.url}): ${failure.reason}`)
        .join('\n')}`,
    );
  }
}

/** A subgraph that answers, but not with an SDL: waiting longer will not help. */
class NotAFederatedSubgraph extends Error {}

const SERVICE_SDL_QUERY = JSON.stringify({ query: '{ _service { sdl } }' });
const RETRY_DELAY_MS = 200;

/** How the SDL is requested: a JSON POST (global `fetch` fits). */
export type SdlFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; json(): Promise<unknown> }>;

export type SdlFetchOptions = {
  timeoutMs: number;
  /** The HTTP client; global `fetch` by default. */
  fetch?: SdlFetch;
  /**
   * Extra headers for the subgraph named `name`, asked again at every
   * attempt: the gateway's signed service context, without which data
   * holders refuse to answer.
   */
  headersFor?: (name: string) => Promise<Record<string, string>>;
};

async function requestSdl(
  url: string,
  signal: AbortSignal,
  send: SdlFetch,
  extraHeaders: Record<string, string>,
): Promise<string> {
  const response = await send(url, {
    method: 'POST',
    headers: {
      ...extraHeaders,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: SERVICE_SDL_QUERY,
    signal,
  });
  const body: unknown = await response.json().catch(() => undefined);
  const sdl =
    typeof body === 'object' && body !== null && 'data' in body
      ? (body.data as { _service?: { sdl?: unknown } } | null)?._service?.sdl
      : undefined;
  if (typeof sdl === 'string' && sdl.trim() !== '') return sdl;
  // A starting server may briefly answer 5xx; anything else is final.
  if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
  if (response.status === 401 || response.status === 403) {
    const reason = refusalReasonOf(body);
    throw new NotAFederatedSubgraph(
      `HTTP ${response.status}: the subgraph refused the gateway's signed context${reason === undefined ? '' : ` (${reason})`}. Does it read this gateway's public key (PASSERELLE_GATEWAY_PUBLIC_KEY_FILE), and is it listed under its own name?`,
    );
  }
  throw new NotAFederatedSubgraph(
    `HTTP ${response.status} without a schema: is it a federation subgraph answering { _service { sdl } }?`,
  );
}

/** The reason a data holder gave for refusing the gateway's context (`extensions.reason`). */
function refusalReasonOf(body: unknown): string | undefined {
  const reason = (body as { errors?: { extensions?: { reason?: unknown } }[] } | undefined)
    ?.errors?.[0]?.extensions?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * Asks a subgraph for its federation SDL (`{ _service { sdl } }`), retrying
 * while it is not yet listening, until `timeoutMs` has passed. Used at
 * startup, when subgraphs may still be opening their stores.
 */
export async function fetchSubgraphSdl(
  url: string,
  options: SdlFetchOptions & { name?: string },
): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  const send = options.fetch ?? fetch;
  let lastFailure = 'no answer';
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw new Error(`no schema within ${options.timeoutMs} ms (last failure: ${lastFailure})`);
    try {
      const headers =
        options.headersFor === undefined || options.name === undefined
          ? {}
          : await options.headersFor(options.name);
      return await requestSdl(url, AbortSignal.timeout(remaining), send, headers);
    } catch (error) {
      if (error instanceof NotAFederatedSubgraph) throw error;
      lastFailure = describeFailure(error);
    }
    await sleep(Math.min(RETRY_DELAY_MS, Math.max(0, deadline - Date.now())));
  }
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch wraps the socket error (ECONNREFUSED...) in `cause`.
  const cause = error.cause;
  if (cause instanceof Error) {
    return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  }
  return error.message;
}

/**
 * Reads every subgraph's SDL in parallel. Throws `SubgraphSdlError` naming
 * every subgraph that did not answer, not only the first.
 */
export async function fetchSubgraphSdls(
  subgraphs: readonly Readonly<{ name: string; url: string }>[],
  options: SdlFetchOptions,
): Promise<{ name: string; url: string; sdl: string }[]> {
  const results = await Promise.allSettled(
    subgraphs.map(async ({ name, url }) => ({
      name,
      url,
      sdl: await fetchSubgraphSdl(url, { ...options, name }),
    })),
  );
  const failures: SdlFetchFailure[] = [];
  const definitions: { name: string; url: string; sdl: string }[] = [];
  results.forEach((result, index) => {
    const subgraph = subgraphs[index];
    if (subgraph === undefined) return;
    if (result.status === 'fulfilled') definitions.push(result.value);
    else failures.push({ ...subgraph, reason: describeFailure(result.reason) });
  });
  if (failures.length > 0) throw new SubgraphSdlError(failures);
  return definitions;
}
