import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { httpStatusOf } from '../errors/index.js';

const listener: GraphQLRequestListener<object> = {
  async willSendResponse({ response }) {
    if (response.body.kind !== 'single') return;
    const { data, errors } = response.body.singleResult;
    if (!errors?.some((error) => error.extensions?.code === 'SUBGRAPH_UNAVAILABLE')) return;
    const nothingServed = data == null || Object.values(data).every((value) => value === null);
    if (nothingServed) response.http.status = httpStatusOf('SUBGRAPH_UNAVAILABLE');
  },
};

/**
 * A subgraph being down is a field error: the other subgraphs' fields are
 * still served, with status 200 as GraphQL partial results require. When a
 * down subgraph leaves the response with no data at all, the status becomes
 * 503 so that clients and load balancers see an outage, not a success.
 */
export const subgraphUnavailableStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return listener;
  },
};
