import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';

/**
 * The schema clients see: the supergraph without federation machinery and
 * without `@inaccessible` elements (so `Person.id` is not in it). Operations
 * are validated and checked against this schema.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
