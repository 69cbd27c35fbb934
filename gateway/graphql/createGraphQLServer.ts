import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GatewayConfig } from '../config/index.js';
import { createClientErrorFormatter } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { SubgraphServices } from '../subgraphClient/index.js';
import { IntrospectionInSandboxOnlyRule } from './introspectionInSandboxOnly.js';
import { subgraphUnavailableStatusPlugin } from './subgraphUnavailableStatus.js';

/** How long a stop waits for in-flight requests before closing their sockets. */
const STOP_GRACE_PERIOD_MS = 10_000;

/** How @apollo/gateway plans and executes one operation over the subgraphs. */
export type GatewayExecutor = NonNullable<Awaited<ReturnType<ApolloGateway['load']>>['executor']>;

/**
 * The Apollo Server that plans and executes queries over the supergraph.
 * Its `stop()` is the gateway's graceful stop: the drain plugin stops the
 * HTTP server accepting, lets in-flight requests finish (up to a grace
 * period), then the gateway stops.
 *
 * `stages` are the pipeline's plugins, in the order they run; `planAndExecute`
 * wraps @apollo/gateway's executor, for stages that change what is planned.
 */
export function createGraphQLServer<Context extends BaseContext>(options: {
  config: GatewayConfig;
  supergraphSdl: string;
  subgraphServices: SubgraphServices;
  httpServer: Server;
  logger: Logger;
  stages: readonly ApolloServerPlugin<Context>[];
  planAndExecute: (executor: GatewayExecutor) => GatewayExecutor;
}): ApolloServer<Context> {
  const { config, logger } = options;
  const apolloLogger = logger.child({ component: 'apollo' });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: (definition) => options.subgraphServices.buildService(definition),
    logger: apolloLogger,
    // Query plans reveal the subgraphs' internal queries: never on request.
    __exposeQueryPlanExperimental: false,
  });
  return new ApolloServer<Context>({
    gateway: {
      async load(loadOptions) {
        const { executor } = await gateway.load(loadOptions);
        return { executor: options.planAndExecute(executor) };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    },
    logger: apolloLogger,
    // Introspection is refused in production by our own rule (clearer message).
    introspection: true,
    validationRules: config.mode === 'production' ? [IntrospectionInSandboxOnlyRule] : [],
    csrfPrevention: true,
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    formatError: createClientErrorFormatter(logger),
    // The process entry owns signals: it stops the gateway in a fixed order.
    stopOnTerminationSignals: false,
    plugins: [
      // Even the sandbox gets no landing page: Apollo's pages make the browser
      // load Apollo's CDN, and a personal-data gateway must not send its users
      // to a third party. Any GraphQL client or curl works against /graphql.
      ApolloServerPluginLandingPageDisabled(),
      // No usage reports to Apollo, even if APOLLO_KEY happens to be set.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: STOP_GRACE_PERIOD_MS,
      }),
      subgraphUnavailableStatusPlugin,
      ...options.stages,
    ],
  });
}
