import type { SubgraphFetcherKind } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { type ControlFetch, createSubgraphHttpClient, type SubgraphTls } from './fetchers.js';
import type { SubgraphContextTokens } from './subgraphContext.js';
import { SubgraphDataSource } from './subgraphDataSource.js';

export type { ControlFetch, SubgraphTls } from './fetchers.js';
export { type ProbeOptions, probeSubgraphs, type SubgraphProbe } from './probeSubgraphs.js';
export {
  createSubgraphContextTokens,
  type SubgraphContextTokens,
  UnboundSubgraphFetchError,
} from './subgraphContext.js';

/** Builds the gateway's data sources: one per subgraph, sharing one HTTP client. */
export type SubgraphServices = {
  /** For `new ApolloGateway({ buildService })`. */
  buildService(definition: { name: string; url?: string }): SubgraphDataSource;
  /**
   * For the gateway's own calls (schema reads, readiness probes), with the
   * same TLS settings as the data sources.
   */
  controlFetch: ControlFetch;
  /** Frees the kept-alive sockets, once the gateway has stopped. */
  close(): void;
};

export function createSubgraphServices(options: {
  fetcher: SubgraphFetcherKind;
  timeoutMs: number;
  logger: Logger;
  /** Signs the context every call carries. */
  contextTokens: SubgraphContextTokens;
  /** When the subgraphs serve HTTPS (with mutual TLS if a client certificate is given). */
  tls?: SubgraphTls | undefined;
}): SubgraphServices {
  const client = createSubgraphHttpClient(options.fetcher, options.tls);
  return {
    controlFetch: client.controlFetch,
    buildService({ name, url }) {
      // The gateway is built from a static supergraph in which every subgraph has a URL.
      if (url === undefined) throw new Error(`subgraph "${name}" has no URL in the supergraph`);
      return new SubgraphDataSource({
        name,
        url,
        fetcher: client.fetcher,
        timeoutMs: options.timeoutMs,
        logger: options.logger,
        contextTokens: options.contextTokens,
      });
    },
    close: () => client.close(),
  };
}
