import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, fixedClock, systemClock } from '../policies/engine/index.js';
import { composeSupergraph, fetchSubgraphSdls } from './composition/index.js';
import { assertApolloTelemetryDisabled, type GatewayConfig } from './config/index.js';
import { createProcessLogger, type Logger } from './logging/index.js';
import { createRequestPipeline } from './pipeline/index.js';
import { startGatewayPolicies } from './policySet/index.js';
import { createRequestHandler } from './server/index.js';
import { createSubgraphServices, probeSubgraphs } from './subgraphClient/index.js';

export type { GatewayConfig } from './config/index.js';
export { PolicyLoadError } from './policySet/index.js';

/** Message the gateway process sends its parent (over IPC) once it serves. */
export type GatewayReadyMessage = { type: 'ready'; url: string };

export type RunningGateway = {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  port: number;
  /** Stops accepting, finishes in-flight requests, then closes. Idempotent. */
  stop(): Promise<void>;
};

/** `/ready` must answer quickly even when a subgraph hangs. */
const READINESS_PROBE_TIMEOUT_MS = 2_000;

/** The gateway could not open its port (in use, not allowed...). */
export class GatewayListenError extends Error {
  override readonly name = 'GatewayListenError';
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new GatewayListenError(
          `cannot listen on ${host}:${port} (${error.code ?? error.message})`,
          {
            cause: error,
          },
        ),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the gateway: reads every subgraph's SDL, composes the supergraph
 * locally, and serves it over HTTP. Throws `SubgraphSdlError` when a subgraph
 * does not answer within `startupTimeoutMs`, `CompositionError` naming the
 * subgraph and field at fault when the SDLs do not compose, `PolicyLoadError`
 * listing every problem when the policy files are invalid,
 * `GatewayListenError` when the port cannot be opened, and `ConfigError`
 * when Apollo's telemetry is not switched off.
 */
export async function startGateway(
  config: GatewayConfig,
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<RunningGateway> {
  assertApolloTelemetryDisabled();
  const logger = options.logger ?? createProcessLogger(config.logLevel);
  const clock =
    options.clock ?? (config.asOf === undefined ? systemClock : fixedClock(config.asOf));

  const subgraphs = await fetchSubgraphSdls(config.subgraphs, {
    timeoutMs: config.startupTimeoutMs,
  });
  const { supergraphSdl, hints } = composeSupergraph(subgraphs);
  for (const hint of hints) logger.debug({ hint }, 'composition hint');
  // Policies are checked against the supergraph: every granted field must exist in it.
  const policies = startGatewayPolicies({ dir: config.policiesDir, supergraphSdl, logger });

  const subgraphServices = createSubgraphServices({
    fetcher: config.subgraphFetcher,
    timeoutMs: config.subgraphTimeoutMs,
    logger,
  });
  const httpServer = createServer();
  const pipeline = createRequestPipeline({
    config,
    supergraphSdl,
    subgraphServices,
    httpServer,
    policies,
    clock,
    logger,
  });
  const { graphqlServer } = pipeline;
  const probeTimeoutMs = Math.min(READINESS_PROBE_TIMEOUT_MS, config.subgraphTimeoutMs);
  httpServer.on(
    'request',
    createRequestHandler({
      serveGraphQL: pipeline.serve,
      probeSubgraphs: () => probeSubgraphs(config.subgraphs, probeTimeoutMs),
      logger,
    }),
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await graphqlServer.stop();
      policies.stop();
      subgraphServices.close();
      logger.info('gateway stopped');
    })();
    return stopping;
  };

  let port: number;
  try {
    await graphqlServer.start();
    port = await listen(httpServer, config.host, config.port);
  } catch (error) {
    await stop();
    throw error;
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info(
    {
      url,
      mode: config.mode,
      subgraphs: config.subgraphs.map((subgraph) => subgraph.name),
      policyVersion: policies.current().version,
    },
    'gateway ready',
  );
  return { url, port, stop };
}
