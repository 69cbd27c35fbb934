/**
 * A plain @apollo/gateway in front of the same data holders, for the
 * benchmark's side-by-side figure: what passerelle's own pipeline
 * (authentication, guards, limits, pre-flight, access log, spans) costs
 * against the gateway it is built on. It does only what the holders
 * require to answer: it sends each one the context token the benchmark
 * signed for it, and uses the same HTTP client (node-fetch 2, keep-alive).
 *
 * Forked by bench/main.ts with BENCH_PLAIN_SUBGRAPHS (name=url,...),
 * BENCH_PLAIN_TOKENS (JSON: name -> token) and BENCH_PLAIN_SUPERGRAPH (a
 * file); reports `{ type: 'ready', url }` over IPC.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import nodeFetch from 'node-fetch';

const subgraphs = (process.env.BENCH_PLAIN_SUBGRAPHS ?? '').split(',').map((entry) => {
  const [name = '', url = ''] = entry.split('=');
  return { name, url };
});
const tokens = JSON.parse(process.env.BENCH_PLAIN_TOKENS ?? '{}') as Record<string, string>;
const supergraphSdl = readFileSync(process.env.BENCH_PLAIN_SUPERGRAPH ?? '', 'utf8');
const urls = new Map(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
// As gateway/subgraphClient does for passerelle's default client.
const fetcher: RemoteGraphQLDataSource['fetcher'] = (url, init) =>
  nodeFetch(url, { ...init, agent });

const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ name }) =>
    new RemoteGraphQLDataSource({
      url: urls.get(name) ?? '',
      fetcher,
      willSendRequest({ request }) {
        request.http?.headers.set('passerelle-context', tokens[name] ?? '');
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.send?.({ type: 'ready', url });
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
