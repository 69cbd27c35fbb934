import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import nodeFetch from 'node-fetch';
import type { SubgraphFetcherKind } from '../config/index.js';

/** The HTTP client contract of Apollo's data sources (from `@apollo/utils.fetcher`). */
export type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * The gateway's own calls to a subgraph outside query plans (schema reads at
 * startup, readiness probes): a JSON POST, bounded by `signal`.
 */
export type ControlFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; ok: boolean; json(): Promise<unknown> }>;

/** An HTTP client for subgraph calls, and how to release its sockets. */
export type SubgraphHttpClient = {
  fetcher: Fetcher | undefined;
  /** For the gateway's own calls; the same TLS settings as `fetcher`. */
  controlFetch: ControlFetch;
  close(): void;
};

/**
 * TLS towards subgraphs serving HTTPS (PEM text): `ca` checks their
 * certificates; `cert` and `key` are the gateway's client certificate,
 * for subgraphs that require mutual TLS.
 */
export type SubgraphTls = Readonly<{ ca?: string; cert?: string; key?: string }>;

/**
 * Builds the selected client. `undefined` fetcher means the data source's own
 * default (make-fetch-happen). Sockets are kept alive: a subgraph call per
 * query plan step is the hot path of every request. With `tls`, only
 * node-fetch is offered (the configuration checks it): it is the one
 * client given the CA and the client certificate.
 */
export function createSubgraphHttpClient(
  kind: SubgraphFetcherKind,
  tls?: SubgraphTls,
): SubgraphHttpClient {
  if (tls !== undefined) {
    if (kind !== 'node-fetch') throw new TypeError('TLS to subgraphs needs the node-fetch client');
    const client = nodeFetchClient(tls);
    // The same agent for the gateway's own calls: the client certificate goes with them too.
    return { ...client, controlFetch: (url, init) => client.fetcher(url, init) };
  }
  // Global fetch for the gateway's own calls: few, and its errors name the socket's failure.
  const controlFetch: ControlFetch = (url, init) => fetch(url, init);
  switch (kind) {
    case 'node-fetch':
      return { ...nodeFetchClient({}), controlFetch };
    case 'undici':
      // The request body may be a Buffer, which the DOM typing does not list.
      return { fetcher: (url, init) => fetch(url, init as RequestInit), controlFetch, close() {} };
    case 'default':
      return { fetcher: undefined, controlFetch, close() {} };
  }
}

function nodeFetchClient(tls: SubgraphTls): { fetcher: Fetcher; close(): void } {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 128 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 128, ...tls });
  const agent = (url: URL) => (url.protocol === 'https:' ? httpsAgent : httpAgent);
  return {
    fetcher: (url, init) => nodeFetch(url, { ...init, agent }),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

export class SubgraphDeadlineExceeded extends Error {
  override readonly name = 'SubgraphDeadlineExceeded';
}

/**
 * A response whose body was read while the deadline still ran. Apollo's data
 * source reads the body after the fetcher resolves, out of reach of any
 * timeout set around the call; buffering here puts the body under it too.
 */
class BufferedResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly url: string;
  readonly redirected: boolean;
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: FetcherResponse['headers'];

  constructor(
    from: FetcherResponse,
    private readonly body: string,
  ) {
    this.url = from.url;
    this.redirected = from.redirected;
    this.status = from.status;
    this.ok = from.ok;
    this.statusText = from.statusText;
    this.headers = from.headers;
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = new TextEncoder().encode(this.body);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): FetcherResponse {
    return new BufferedResponse(this, this.body);
  }
}

/**
 * Bounds one subgraph call, response body included, by `timeoutMs`. On
 * expiry the request is aborted (its socket freed) and the call fails with
 * `SubgraphDeadlineExceeded`.
 */
export function withDeadline(fetcher: Fetcher, timeoutMs: number): Fetcher {
  return async (url, init) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetcher(url, { ...init, signal: controller.signal });
      return new BufferedResponse(response, await response.text());
    } catch (error) {
      if (controller.signal.aborted) {
        throw new SubgraphDeadlineExceeded(`no complete answer within ${timeoutMs} ms`, {
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
