import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { SUBJECTS_EXTENSION } from '../../subgraphs/kit/index.js';
import { CONTEXT_TOKEN_HEADER } from '../contextToken/index.js';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { type GatewayContext, PASSERELLE_HEADER_PREFIX } from '../requestContext/index.js';
import { injectTraceContext } from '../telemetry/index.js';
import { type Fetcher, SubgraphDeadlineExceeded, withDeadline } from './fetchers.js';
import type { SubgraphContextTokens } from './subgraphContext.js';

/** Statuses with which a subgraph (or a proxy before it) says it cannot serve now. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/**
 * Statuses with which a data holder refuses the gateway itself (its signed
 * context: wrong key, wrong audience...). Nothing the re-user can change:
 * the data holder is unavailable to this gateway until the operator fixes it.
 */
const REFUSED_GATEWAY_STATUSES = new Set([401, 403]);

/** The hook's types, taken from the data source (their package is only a transitive dependency). */
type ResponseHook = NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>;
type ReceivedResponse = Parameters<ResponseHook>[0];
type SubgraphResponse = Awaited<ReturnType<ResponseHook>>;

type UnavailableReason = 'timeout' | 'unreachable' | 'unavailable-status' | 'refused-gateway';

export type SubgraphDataSourceOptions = {
  name: string;
  url: string;
  /** `undefined`: keep the data source's default client. */
  fetcher: Fetcher | undefined;
  timeoutMs: number;
  logger: Logger;
  contextTokens: SubgraphContextTokens;
};

/**
 * How the gateway calls one subgraph during query plan execution: through the
 * chosen HTTP client, under a per-call deadline, and with the failures that
 * mean "this data holder is unavailable" turned into SUBGRAPH_UNAVAILABLE
 * field errors. The fields of the other subgraphs are still served; a
 * response plugin turns the reply into a 503 when nothing at all was.
 *
 * Every call carries a context signed by the gateway for this subgraph
 * (`Passerelle-Context`): the purpose, re-user, agent, request and trace ids
 * and policy version it is made for. The data holders refuse calls without
 * one, enforce the same policies and keep their own log. The client's own
 * headers are never forwarded; the call carries the gateway's `traceparent`.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly name: string;
  private readonly logger: Logger;
  private readonly contextTokens: SubgraphContextTokens;

  constructor(options: SubgraphDataSourceOptions) {
    // Responses carry personal data and are never cached: skip parsing
    // the subgraphs' cache hints altogether.
    super({ url: options.url, honorSubgraphCacheControlHeader: false });
    this.name = options.name;
    this.logger = options.logger;
    this.contextTokens = options.contextTokens;
    this.fetcher = withDeadline(options.fetcher ?? this.fetcher, options.timeoutMs);
  }

  override async willSendRequest(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<void> {
    const headers = options.request.http?.headers;
    if (headers === undefined) return;
    // Only the header set below may speak for the gateway: drop any other
    // passerelle-* header, whoever put it there.
    const ours = [...headers].filter(([name]) =>
      name.toLowerCase().startsWith(PASSERELLE_HEADER_PREFIX),
    );
    for (const [name] of ours) headers.delete(name);
    // Health checks and schema loading serve no client request: they get a
    // service context (the enum naming the kinds is not exported by @apollo/gateway).
    const token =
      'incomingRequestContext' in options
        ? await this.contextTokens.forRequest(options.context, this.name)
        : await this.contextTokens.forService(this.name);
    headers.set(CONTEXT_TOKEN_HEADER, token);
    // One trace across the gateway and the data holders: the holder's span
    // becomes a child of @apollo/gateway's `gateway.fetch` span, active here.
    injectTraceContext(headers);
  }

  /**
   * Collects the persons the data holder reports having served into the
   * request's tally, and strips the report: it never reaches the client.
   */
  override async didReceiveResponse({
    response,
    context,
  }: ReceivedResponse): Promise<SubgraphResponse> {
    const extensions = response.extensions;
    if (extensions !== undefined && Object.hasOwn(extensions, SUBJECTS_EXTENSION)) {
      // Schema reads and health checks have no request context to count in.
      (context as Partial<GatewayContext>).subjects?.add(extensions[SUBJECTS_EXTENSION]);
      const { [SUBJECTS_EXTENSION]: _reported, ...rest } = extensions;
      if (Object.keys(rest).length === 0) delete response.extensions;
      else response.extensions = rest;
    }
    return response;
  }

  override didEncounterError(error: Error, _request: unknown, response?: { status: number }): void {
    const reason = unavailableReason(error, response);
    if (reason === undefined) throw error;
    if (reason === 'refused-gateway') {
      this.logger.error(
        { subgraph: this.name, status: response?.status, refusal: refusalOf(error) },
        "data holder refused the gateway's signed context: does it read this gateway's public key, and is it listed under its own name?",
      );
    } else {
      this.logger.warn(
        { subgraph: this.name, reason, status: response?.status, err: error },
        'subgraph unavailable',
      );
    }
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
  if (REFUSED_GATEWAY_STATUSES.has(response.status)) return 'refused-gateway';
  return undefined;
}

/** The code and reason a data holder gave (its answer's first error), for the log. */
function refusalOf(error: Error): unknown {
  const body = (error as { extensions?: { response?: { body?: unknown } } }).extensions?.response
    ?.body as { errors?: { extensions?: unknown }[] } | undefined;
  return body?.errors?.[0]?.extensions;
}
