import type { SubgraphFetcherKind } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { createSubgraphHttpClient } from './fetchers.js';
import { SubgraphDataSource } from './subgraphDataSource.js';

export { probeSubgraphs, type SubgraphProbe } from './probeSubgraphs.js';

/** Builds the gateway's data sources: one per subgraph, sharing one HTTP client. */
export type SubgraphServices = {
  /** For `new ApolloGateway({ buildService })`. */
  buildService(definition: { name: string; url?: string }): SubgraphDataSource;
  /** Frees the kept-alive sockets, once the gateway has stopped. */
  close(): void;
};

export function createSubgraphServices(options: {
  fetcher: SubgraphFetcherKind;
  timeoutMs: number;
  logger: Logger;
}): SubgraphServices {
  const client = createSubgraphHttpClient(options.fetcher);
  return {
    buildService({ name, url }) {
      // The gateway is built from a static supergraph in which every subgraph has a URL.
      if (url === undefined) throw new Error(`subgraph "${name}" has no URL in the supergraph`);
      return new SubgraphDataSource({
        name,
        url,
        fetcher: client.fetcher,
        timeoutMs: options.timeoutMs,
        logger: options.logger,
      });
    },
    close: () => client.close(),
  };
}
