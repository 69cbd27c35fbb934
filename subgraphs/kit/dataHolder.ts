import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { Clock } from '../../policies/engine/index.js';
import { type PurposeRuleCache, purposeShield } from '../../policies/engine/index.js';
import { createGatewayContextVerifier, type GatewayPublicKeys } from './gatewayContext.js';
import type { HolderAccessLog } from './holderAccessLog.js';
import { holderAccessLogPlugin, trackAccess } from './holderAccessRecording.js';
import type { HolderPolicies } from './holderPolicies.js';
import { closeServer, type HolderTls, listenGraphQL } from './httpServer.js';
import { withMinimisation } from './minimisation.js';
import { bindPurpose, type HolderMode, type RequestPurpose } from './purposeBinding.js';
import type { HolderStore } from './store.js';
import { subjectReportingPlugin, trackSubjects, withSubjectReporting } from './subjectReporting.js';

export const DATA_HOLDERS = [
  'civil-status',
  'family-benefits',
  'tax',
  'employment',
  'education',
] as const;
export type DataHolderName = (typeof DATA_HOLDERS)[number];

/**
 * What the kit gives every resolver of a data holder, fresh for each
 * request: its loaders, the holder's clock, and what the request is bound to
 * (purpose, re-user, agent, request and trace ids, from the gateway's
 * verified context).
 */
export type HolderContext<Loaders> = RequestPurpose & {
  loaders: Loaders;
  clock: Clock;
};

/**
 * Everything a data holder writes: its schema, its resolvers, and the
 * per-request loaders over its store. The kit does the rest (server, health,
 * batching, lifecycle).
 */
export type DataHolderDefinition<Loaders> = {
  name: DataHolderName;
  /**
   * Federation 2 SDL, parsed with `holderTypeDefs`; every field described
   * (meaning, unit, example) for the generated docs. Derived fields
   * (`@reduces`) and windowed lists (`@window`) need no resolver: the kit
   * serves them from their source as the request's purpose says.
   */
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<HolderContext<Loaders>>;
  /** Builds the request's DataLoaders. Called once per request, never shared. */
  createLoaders: (store: HolderStore) => Loaders;
};

export type RunningDataHolder = {
  name: DataHolderName;
  url: string;
  port: number;
  store: HolderStore;
  stop(): Promise<void>;
};

export type DataHolderStartOptions = {
  store: HolderStore;
  clock: Clock;
  /** The policies enforced on every request; read again for each request, so reloads apply at once. */
  policies: Pick<HolderPolicies, 'current'>;
  /** The system's stage: purposes written for another stage are not active. */
  mode: HolderMode;
  /**
   * The gateway's public key(s): every request must carry a context the
   * gateway signed for this holder (`Passerelle-Context`), or it gets 401.
   */
  gatewayKeys: GatewayPublicKeys;
  /**
   * The holder's own access log (`openHolderAccessLog`): every request bound
   * to a purpose is recorded there before its response leaves, or answered
   * 503 `HOLDER_ACCESS_LOG_UNAVAILABLE` with no data.
   */
  accessLog: HolderAccessLog;
  /** Told of every access-log write that failed, for the process log. */
  onAccessLogFailure?: ((error: unknown) => void) | undefined;
  host: string;
  port: number;
  /** HTTPS with mutual TLS (only the gateway's client certificate is accepted); plain HTTP when absent. */
  tls?: HolderTls | undefined;
};

/**
 * A data holder ready to serve. Its loaders' type stays inside: launchers,
 * registries and tests handle every holder alike.
 */
export type DataHolder = {
  name: DataHolderName;
  typeDefs: DocumentNode;
  start(options: DataHolderStartOptions): Promise<RunningDataHolder>;
};

export function defineDataHolder<Loaders>(definition: DataHolderDefinition<Loaders>): DataHolder {
  return {
    name: definition.name,
    typeDefs: definition.typeDefs,
    start: (options) => startDataHolder(definition, options),
  };
}

/**
 * A holder's executable schema: its resolvers completed with minimisation
 * (derived fields, windows), behind the purpose shield, so that every field
 * is refused unless the request's purpose grants it (deny by default).
 */
export function buildHolderSchema<Loaders>(
  definition: Pick<DataHolderDefinition<Loaders>, 'typeDefs' | 'resolvers'>,
  options: { clock: Clock; ruleCache?: PurposeRuleCache },
): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: definition.typeDefs,
    // The map is typed with our context for the holders' sake; Apollo's signature says unknown.
    resolvers: withMinimisation(
      definition.typeDefs,
      definition.resolvers,
    ) as GraphQLResolverMap<unknown>,
  });
  // The shield first (outermost): a person counts as served only through
  // fields it lets through (`withSubjectReporting`).
  return applyMiddleware(
    withSubjectReporting(schema),
    purposeShield(schema, {
      today: options.clock.today,
      ...(options.ruleCache === undefined ? {} : { cache: options.ruleCache }),
    }),
  );
}

async function startDataHolder<Loaders>(
  definition: DataHolderDefinition<Loaders>,
  options: DataHolderStartOptions,
): Promise<RunningDataHolder> {
  const { store, clock, policies, mode } = options;
  const apollo = new ApolloServer<HolderContext<Loaders>>({
    schema: buildHolderSchema(definition, { clock }),
    includeStacktraceInErrorResponses: false,
    // The process entry owns signals: it stops the server, then the store, then exits.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // Every response tells the gateway which persons it served (DECISIONS.md section 3).
      subjectReportingPlugin(),
      // After subject reporting: a failed write drops its extension with the data.
      holderAccessLogPlugin({
        holder: definition.name,
        accessLog: options.accessLog,
        onFailure: options.onAccessLogFailure,
      }),
    ],
  });
  await apollo.start();
  const verifier = createGatewayContextVerifier(options.gatewayKeys, definition.name);
  const listening = await listenGraphQL({
    apollo,
    verifyContext: (header) => verifier.verify(header),
    context: async (_request, gatewayContext) => {
      const arrivedAt = new Date();
      const context = {
        ...bindPurpose(gatewayContext, {
          policies: policies.current(),
          holder: definition.name,
          today: clock.today(),
          mode,
        }),
        loaders: definition.createLoaders(store),
        clock,
      };
      // A service context (schema reads, probes) serves no one: nothing to report or log.
      return gatewayContext.scope === 'service'
        ? context
        : trackAccess(trackSubjects(context), gatewayContext, arrivedAt);
    },
    host: options.host,
    port: options.port,
    tls: options.tls,
  });
  let stopped: Promise<void> | undefined;
  return {
    name: definition.name,
    url: listening.url,
    port: listening.port,
    store,
    stop() {
      stopped ??= (async () => {
        await closeServer(listening.server);
        await apollo.stop();
      })();
      return stopped;
    },
  };
}
