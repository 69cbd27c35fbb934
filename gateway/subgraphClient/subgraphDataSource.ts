import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import {
  type GatewayContext,
  PASSERELLE_HEADER_PREFIX,
  subgraphHeadersFor,
} from '../requestContext/index.js';
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
 *
 * Every call carries the purpose, the re-user, the policy version and the
 * request id it is made for (the data holders enforce the same policies and
 * keep their own log). The client's own headers are never forwarded.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
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

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (headers === undefined) return;
    // Only the headers set below may speak for the gateway: drop any other
    // passerelle-* header, whoever put it there.
    const ours = [...headers].filter(([name]) =>
      name.toLowerCase().startsWith(PASSERELLE_HEADER_PREFIX),
    );
    for (const [name] of ours) headers.delete(name);
    // Health checks and schema loading serve no client request (the enum
    // naming the kinds is not exported by @apollo/gateway).
    if (!('incomingRequestContext' in options)) return;
    for (const [name, value] of Object.entries(subgraphHeadersFor(options.context))) {
      headers.set(name, value);
    }
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
