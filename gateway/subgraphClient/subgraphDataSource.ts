import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { type Fetcher, SubgraphDeadlineExceeded, withDeadline } from './fetchers.js';

/** Statuses with which a subgraph (or a proxy before it) says it cannot serve now. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

type UnavailableReason = 'timeout' | 'unreachable' | 'unavailable-status';

export type SubgraphDataSourceOptions = {
  name: string;
  url: string;
  /** `undefined`: keep the data source's default client. */
  fetcher: Fetcher | undefined;
  timeoutMs: number;
  logger: Logger;
};

/**
 * How the gateway calls one subgraph during query plan execution: through the
 * chosen HTTP client, under a per-call deadline, and with the failures that
 * mean "this data holder is unavailable" turned into SUBGRAPH_UNAVAILABLE
 * field errors. The fields of the other subgraphs are still served; a
 * response plugin turns the reply into a 503 when nothing at all was.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource {
  private readonly name: string;
  private readonly logger: Logger;

  constructor(options: SubgraphDataSourceOptions) {
    // Responses carry personal data and are never cached: skip parsing
    // the subgraphs' cache hints altogether.
    super({ url: options.url, honorSubgraphCacheControlHeader: false });
    this.name = options.name;
    this.logger = options.logger;
    this.fetcher = withDeadline(options.fetcher ?? this.fetcher, options.timeoutMs);
  }

  override didEncounterError(error: Error, _request: unknown, response?: { status: number }): void {
    const reason = unavailableReason(error, response);
    if (reason === undefined) throw error;
    this.logger.warn(
      { subgraph: this.name, reason, status: response?.status, err: error },
      'subgraph unavailable',
    );
    throw new PasserelleError(
      'SUBGRAPH_UNAVAILABLE',
      { dataHolder: this.name },
      { scope: 'field', publicExtensions: { serviceName: this.name }, cause: error },
    );
  }
}

function unavailableReason(
  error: Error,
  response: { status: number } | undefined,
): UnavailableReason | undefined {
  if (error instanceof SubgraphDeadlineExceeded) return 'timeout';
  // No response at all: the connection failed (refused, reset, DNS...).
  if (response === undefined) return 'unreachable';
  if (UNAVAILABLE_STATUSES.has(response.status)) return 'unavailable-status';
  return undefined;
}
