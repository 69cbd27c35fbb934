import type { ASTVisitor, ValidationContext } from 'graphql';
import { PasserelleError } from '../errors/index.js';

/**
 * Validation rule for production mode: refuses `__schema` and `__type`.
 * It replaces Apollo Server's `introspection: false`, whose message speaks to
 * the server's operator ("pass introspection: true to ApolloServer") rather
 * than to the client. `__typename` stays allowed: clients rely on it.
 */
export function IntrospectionInSandboxOnlyRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(new PasserelleError('INTROSPECTION_DISABLED', {}, { nodes: node }));
      }
    },
  };
}
