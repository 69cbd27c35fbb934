import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { DocumentNode } from 'graphql';
import type { Clock } from './clock.js';
import { closeServer, listenGraphQL } from './httpServer.js';
import type { HolderStore } from './store.js';

export const DATA_HOLDERS = [
  'civil-status',
  'family-benefits',
  'tax',
  'employment',
  'education',
] as const;
export type DataHolderName = (typeof DATA_HOLDERS)[number];

/** What the kit gives every resolver of a data holder, fresh for each request. */
export type HolderContext<Loaders> = {
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
  /** Federation 2 SDL; every field described (meaning, unit, example) for the generated docs. */
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
  host: string;
  port: number;
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

async function startDataHolder<Loaders>(
  definition: DataHolderDefinition<Loaders>,
  options: DataHolderStartOptions,
): Promise<RunningDataHolder> {
  const { store, clock } = options;
  const apollo = new ApolloServer<HolderContext<Loaders>>({
    schema: buildSubgraphSchema({
      typeDefs: definition.typeDefs,
      // The map is typed with our context for the holders' sake; Apollo's signature says unknown.
      resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
    }),
    includeStacktraceInErrorResponses: false,
    // The process entry owns signals: it stops the server, then the store, then exits.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const listening = await listenGraphQL({
    apollo,
    context: async () => ({ loaders: definition.createLoaders(store), clock }),
    host: options.host,
    port: options.port,
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
