import { print } from 'graphql';
import { DATA_HOLDER_DEFINITIONS } from '../../subgraphs/index.js';
import { DATA_HOLDERS } from '../../subgraphs/kit/index.js';
import { composeSupergraph } from '../composition/index.js';

/**
 * The supergraph of the five data holders in this repository, composed from
 * their SDL in-process: policy commands check files against it without any
 * running subgraph. The URLs are placeholders; nothing is fetched.
 */
export function composeRepositorySupergraph(): string {
  return composeSupergraph(
    DATA_HOLDERS.map((holder) => ({
      name: holder,
      url: `http://${holder}.invalid/graphql`,
      sdl: print(DATA_HOLDER_DEFINITIONS[holder].typeDefs),
    })),
  ).supergraphSdl;
}
