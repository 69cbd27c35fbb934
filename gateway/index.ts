import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { type Clock, fixedClock, systemClock } from '../policies/engine/index.js';
import {
  type AccessLogStore,
  accessLogStoreFor,
  createAccessLogWriter,
  createSubjectReferencer,
  ensureCheckpointKey,
  ensureSubjectReferenceKey,
  openAccessLogStore,
} from './accessLog/index.js';
import { createAccessRecorder, startRetentionJob } from './accessRecording/index.js';
import {
  clientAssertionSource,
  createAssertionVerifier,
  createAuthenticator,
  createKeySelfService,
  createLockout,
  startExpiryNotifier,
} from './authentication/index.js';
import { apiSchemaOf, composeSupergraph, fetchSubgraphSdls } from './composition/index.js';
import {
  assertApolloTelemetryDisabled,
  ConfigError,
  type GatewayConfig,
  type SubgraphTlsFiles,
} from './config/index.js';
import {
  CONTEXT_TOKEN_HEADER,
  createContextSigner,
  ensureGatewayContextKey,
} from './contextToken/index.js';
import { PasserelleError } from './errors/index.js';
import { type KeyRegistry, keyStoreFor, openKeyRegistry } from './keyRegistry/index.js';
import { createProcessLogger, type Logger } from './logging/index.js';
import { createMetricsRegistry, type MetricsRegistry, prometheusText } from './metrics/index.js';
import {
  createAccessHistory,
  createPersonRoutes,
  createPersonTokenVerifier,
  createSandboxIdentityProvider,
  type TrustedIdentityProvider,
} from './personAccess/index.js';
import { createRequestPipeline } from './pipeline/index.js';
import { type PolicyStore, startGatewayPolicies } from './policySet/index.js';
import { isAddressAllowed } from './purposeBinding/index.js';
import { createRateLimits } from './rateLimits/index.js';
import { createRequestHandler } from './server/index.js';
import {
  createSubgraphContextTokens,
  createSubgraphServices,
  probeSubgraphs,
  type SubgraphTls,
} from './subgraphClient/index.js';
import {
  createSubjectLimits,
  type DailySubjectStore,
  openDailySubjectStore,
} from './subjects/index.js';
import { installTelemetry } from './telemetry/index.js';

export type { GatewayConfig } from './config/index.js';
export { ContextKeyError } from './contextToken/index.js';
export { KeyRegistryError } from './keyRegistry/index.js';
export { PolicyLoadError } from './policySet/index.js';

/** Message the gateway process sends its parent (over IPC) once it serves. */
export type GatewayReadyMessage = { type: 'ready'; url: string };

export type RunningGateway = {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  port: number;
  /** The gateway's in-process counters (refusals per error code). */
  metrics: MetricsRegistry;
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

/** A PEM file named by the configuration; `ConfigError` naming the variable if unreadable. */
async function readPem(variable: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError([{ variable, problem: `cannot read ${file} (${code})` }]);
  }
}

async function readSubgraphTls(
  files: SubgraphTlsFiles | undefined,
): Promise<SubgraphTls | undefined> {
  if (files === undefined) return undefined;
  const { caFile, clientCertificate } = files;
  return {
    ...(caFile === undefined
      ? {}
      : { ca: await readPem('PASSERELLE_SUBGRAPH_TLS_CA_FILE', caFile) }),
    ...(clientCertificate === undefined
      ? {}
      : {
          cert: await readPem('PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE', clientCertificate.certFile),
          key: await readPem('PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE', clientCertificate.keyFile),
        }),
  };
}

async function createHttpServer(config: GatewayConfig): Promise<Server> {
  if (config.tls === undefined) return createServer();
  return createTlsServer({
    cert: await readPem('PASSERELLE_TLS_CERT_FILE', config.tls.certFile),
    key: await readPem('PASSERELLE_TLS_KEY_FILE', config.tls.keyFile),
  });
}

/**
 * The audiences re-users' assertions may name: the configured public URL,
 * else the URL the gateway listens on (and its `localhost` spelling, for a
 * loopback address).
 */
function audiencesOf(config: GatewayConfig, listenUrl: string | undefined): readonly string[] {
  if (config.publicUrl !== undefined) return [config.publicUrl];
  if (listenUrl === undefined) return [];
  const loopback = listenUrl.replace(/\/\/(127\.0\.0\.1|\[::1\])(?=:)/, '//localhost');
  return loopback === listenUrl ? [listenUrl] : [listenUrl, loopback];
}

/** Issuer of the sandbox's identity provider: `.invalid`, so it can never be mistaken for a real one. */
const SANDBOX_IDP_ISSUER = 'https://sandbox-idp.passerelle.invalid';

/**
 * A person's access history, for the identity providers trusted: the
 * operator's (PASSERELLE_OIDC_*), and in the sandbox the built-in one.
 * Production without a provider serves no history route.
 */
async function personRoutesFor(
  config: GatewayConfig,
  log: Omit<Parameters<typeof createAccessHistory>[0], 'verifier' | 'apiSchema' | 'signInHint'> & {
    supergraphSdl: string;
  },
) {
  const sandboxIdentityProvider =
    config.mode === 'sandbox' ? await createSandboxIdentityProvider(SANDBOX_IDP_ISSUER) : undefined;
  const providers: TrustedIdentityProvider[] = [
    ...(config.personIdentity.provider === undefined ? [] : [config.personIdentity.provider]),
    ...(sandboxIdentityProvider === undefined
      ? []
      : [{ issuer: sandboxIdentityProvider.issuer, jwks: sandboxIdentityProvider.jwks }]),
  ];
  const { audience } = config.personIdentity;
  const history =
    providers.length === 0
      ? undefined
      : createAccessHistory({
          ...log,
          verifier: createPersonTokenVerifier({ providers, audience }),
          apiSchema: apiSchemaOf(log.supergraphSdl),
          signInHint:
            sandboxIdentityProvider === undefined
              ? ''
              : ' (in the sandbox: POST /sandbox-idp/token with {"person": "<person id>"})',
        });
  return createPersonRoutes({ history, sandboxIdentityProvider, audience });
}

/** Redis for state every replica shares (lockouts), when configured. */
function connectRedis(url: string | undefined, logger: Logger): Redis | undefined {
  if (url === undefined) return undefined;
  // No offline queue: while Redis is down, calls fail at once and the
  // in-memory fallback answers, rather than requests waiting for it.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis unavailable'));
  return redis;
}

/**
 * Starts the gateway: ensures its context key pair (generated at the first
 * start), reads every subgraph's SDL, composes the supergraph locally, and
 * serves it over HTTP, or HTTPS when given a certificate. Throws
 * `ContextKeyError` when the context key cannot be read or created,
 * `SubgraphSdlError` when a subgraph does not answer within
 * `startupTimeoutMs`, `CompositionError` naming the subgraph and field at
 * fault when the SDLs do not compose, `PolicyLoadError` listing every
 * problem when the policy files are invalid, `KeyRegistryError` when the key
 * registry cannot be opened, `GatewayListenError` when the
 * port cannot be opened, and `ConfigError` when Apollo's telemetry is not
 * switched off or a TLS file cannot be read.
 */
export async function startGateway(
  config: GatewayConfig,
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<RunningGateway> {
  assertApolloTelemetryDisabled();
  const logger = options.logger ?? createProcessLogger(config.logLevel);
  // Before @apollo/gateway starts any span: once per process, the first
  // gateway's settings win (in-process test gateways share it).
  const telemetry = installTelemetry({ tracesUrl: config.otlpTracesUrl });
  if (telemetry.tracesUrl !== config.otlpTracesUrl) {
    logger.warn(
      { tracesUrl: telemetry.tracesUrl },
      'OpenTelemetry was already installed in this process: spans go where it says',
    );
  }
  const clock =
    options.clock ?? (config.asOf === undefined ? systemClock : fixedClock(config.asOf));

  // Before any subgraph call: every one carries a context signed with this key.
  const contextKey = await ensureGatewayContextKey(config.contextKey);
  if (contextKey.generated) {
    logger.info(
      { kid: contextKey.kid, publicKeyFile: config.contextKey.publicKeyFile },
      'gateway context key generated',
    );
  }
  const contextTokens = createSubgraphContextTokens(
    await createContextSigner(contextKey.privateJwk),
  );
  const serviceHeaders = async (name: string) => ({
    [CONTEXT_TOKEN_HEADER]: await contextTokens.forService(name),
  });
  const subgraphServices = createSubgraphServices({
    fetcher: config.subgraphFetcher,
    timeoutMs: config.subgraphTimeoutMs,
    logger,
    contextTokens,
    tls: await readSubgraphTls(config.subgraphTls),
  });

  let supergraphSdl: string;
  let policies: PolicyStore;
  let httpServer: Server;
  let registry: KeyRegistry | undefined;
  let dailySubjects: DailySubjectStore | undefined;
  let accessLogStore: AccessLogStore | undefined;
  try {
    const subgraphs = await fetchSubgraphSdls(config.subgraphs, {
      timeoutMs: config.startupTimeoutMs,
      fetch: subgraphServices.controlFetch,
      headersFor: serviceHeaders,
    });
    const composed = composeSupergraph(subgraphs);
    supergraphSdl = composed.supergraphSdl;
    for (const hint of composed.hints) logger.debug({ hint }, 'composition hint');
    httpServer = await createHttpServer(config);
    // Policies are checked against the supergraph: every granted field must exist in it.
    policies = startGatewayPolicies({ dir: config.policiesDir, supergraphSdl, logger });
    registry = await openKeyRegistry({
      ...keyStoreFor(config),
      onError: (error) => logger.error({ err: error }, 'key registry'),
    });
    // Distinct subjects per re-user, purpose and day: beside the key registry.
    dailySubjects = await openDailySubjectStore(
      config.databaseUrl === undefined
        ? { kind: 'sqlite', dataDir: config.dataDir }
        : { kind: 'postgres', url: config.databaseUrl, schema: config.databaseSchema },
    );
    // No log, no data: a gateway that cannot open its access log does not start.
    accessLogStore = await openAccessLogStore({
      ...accessLogStoreFor(config),
      checkpointKey: await ensureCheckpointKey(config.accessLog.checkpointKey),
      checkpointEvery: config.accessLog.checkpointEvery,
    });
  } catch (error) {
    subgraphServices.close();
    await registry?.close().catch(() => undefined);
    await dailySubjects?.close().catch(() => undefined);
    throw error;
  }
  const referencer = createSubjectReferencer(
    await ensureSubjectReferenceKey(config.accessLog.subjectReferenceKeyFile),
  );
  const subjectLimits = createSubjectLimits({ store: dailySubjects, referencer });
  const accessLog = accessLogStore;
  const accessLogWriter = createAccessLogWriter(accessLog, {
    maxBatch: config.accessLog.maxBatch,
    maxDelayMs: config.accessLog.maxDelayMs,
  });
  const retentionJob = startRetentionJob({
    store: accessLog,
    retention: config.accessLog.retention,
    logger,
  });
  const metrics = createMetricsRegistry();
  const keys = registry;
  const currentPolicies = policies;

  let listenUrl: string | undefined;
  const redis = connectRedis(config.redisUrl, logger);
  const verifier = createAssertionVerifier({
    registry: keys,
    audiences: () => audiencesOf(config, listenUrl),
  });
  const authenticator = createAuthenticator({
    verifier,
    lockout: createLockout(config.authLockout, {
      keyPrefix: `${config.redisKeyPrefix}auth-failures`,
      ...(redis === undefined ? {} : { redis }),
    }),
    logger,
  });
  const keySelfService = createKeySelfService({
    authenticator,
    registry: keys,
    admits(reuserId, address) {
      const reuser = currentPolicies.current().reusers.get(reuserId);
      if (reuser === undefined) {
        return new PasserelleError('PURPOSE_UNKNOWN', {
          what: 're-user',
          id: reuserId,
          where: 'the "iss" and "sub" claims of the client assertion',
        });
      }
      return isAddressAllowed(reuser, address)
        ? undefined
        : new PasserelleError('IP_NOT_ALLOWED', { reuser: reuserId, address });
    },
    logger,
  });
  const expiryNotifier = startExpiryNotifier({
    registry: keys,
    mode: config.mode,
    reusers: () => currentPolicies.current().reusers,
    logger,
  });
  const pipeline = createRequestPipeline({
    config,
    supergraphSdl,
    subgraphServices,
    httpServer,
    policies,
    credentials: clientAssertionSource(config.mode, authenticator),
    clock,
    logger,
    // The same Redis client as the lockout: one connection per process.
    rateLimits: createRateLimits({ redis, keyPrefix: config.redisKeyPrefix }),
    subjectLimits,
    metrics,
    accessRecorder: createAccessRecorder({
      writer: accessLogWriter,
      referencer,
      logger,
      timeoutMs: config.accessLog.writeTimeoutMs,
    }),
  });
  const { graphqlServer } = pipeline;
  const probeTimeoutMs = Math.min(READINESS_PROBE_TIMEOUT_MS, config.subgraphTimeoutMs);
  httpServer.on(
    'request',
    createRequestHandler({
      serveGraphQL: pipeline.serve,
      serveKeys: keySelfService.serve,
      metricsText: () => prometheusText(metrics),
      personRoutes: await personRoutesFor(config, {
        store: accessLog,
        referencer,
        policies: () => currentPolicies.current(),
        supergraphSdl,
      }),
      probeSubgraphs: () =>
        probeSubgraphs(config.subgraphs, {
          timeoutMs: probeTimeoutMs,
          fetch: subgraphServices.controlFetch,
          headersFor: serviceHeaders,
        }),
      corsOrigins: config.corsOrigins,
      logger,
    }),
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // In-flight requests finish (and are recorded) before the log closes.
      await graphqlServer.stop();
      retentionJob.stop();
      await accessLogWriter.close();
      await accessLog.close();
      policies.stop();
      expiryNotifier.stop();
      verifier.close();
      subgraphServices.close();
      await keys.close();
      await subjectLimits.close();
      await redis?.quit().catch(() => undefined);
      // The last requests' spans, still in the batch; a collector that is
      // down must not hold the stop.
      await telemetry
        .flush()
        .catch((error: unknown) => logger.warn({ err: error }, 'spans not exported at stop'));
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
  const url = `${config.tls === undefined ? 'http' : 'https'}://${host}:${port}/graphql`;
  listenUrl = url;
  logger.info(
    {
      url,
      mode: config.mode,
      subgraphs: config.subgraphs.map((subgraph) => subgraph.name),
      policyVersion: policies.current().version,
      audiences: audiencesOf(config, url),
      tracesExportedTo: telemetry.tracesUrl ?? 'nowhere',
    },
    'gateway ready',
  );
  return { url, port, metrics, stop };
}
