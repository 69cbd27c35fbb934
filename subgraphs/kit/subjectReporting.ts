import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareFunction } from 'graphql-middleware';
import { PERSON_TYPE } from '../../policies/engine/index.js';

/**
 * The response extension in which a data holder reports the persons it
 * served (DECISIONS.md section 3): `extensions.passerelleSubjects`, the
 * person ids (the internal join key) whose data the response carries. The
 * gateway collects them from every subgraph response, counts them against
 * the purpose's limits and strips the extension before replying.
 */
export const SUBJECTS_EXTENSION = 'passerelleSubjects';

/**
 * The persons served to one request, in its context object under a symbol.
 * Not a WeakMap keyed by the context: Apollo Server hands plugins and
 * resolvers a shallow copy of the context it was given, which keeps this
 * member (the same set) but is another object.
 */
const SERVED = Symbol('passerelle.servedSubjects');

type Tracked = { [SERVED]?: Set<string> };

function servedSetOf(context: unknown): Set<string> | undefined {
  return typeof context === 'object' && context !== null ? (context as Tracked)[SERVED] : undefined;
}

/** Starts counting the persons served to the request whose context this is. */
export function trackSubjects<Context extends object>(context: Context): Context {
  return Object.assign(context, { [SERVED]: new Set<string>() });
}

/** The person ids served so far to the request whose context this is. */
export function servedSubjects(context: object): readonly string[] {
  return [...(servedSetOf(context) ?? [])];
}

/**
 * A field of a person resolved for the request: its data leaves in the
 * response, so the person is a subject. Recorded after the field resolves,
 * inside the purpose shield: a field the shield refuses, or whose resolver
 * fails, serves nothing and records no one. The join key (`Person.id`) the
 * gateway asks for to fetch other holders' fields counts too: it tells the
 * gateway that this holder knows the person.
 */
const recordPerson: IMiddlewareFunction = async (resolve, parent, args, context, info) => {
  const result = await resolve(parent, args, context, info);
  const id = (parent as { id?: unknown } | null)?.id;
  const served = servedSetOf(context);
  if (served !== undefined && (typeof id === 'string' || typeof id === 'number')) {
    served.add(String(id));
  }
  return result;
};

/**
 * The holder schema with every field of `Person` recording whom it served.
 * Apply it inside the purpose shield (after it in `applyMiddleware`), so
 * that only what the shield lets through counts.
 */
export function withSubjectReporting(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getType(PERSON_TYPE) === undefined) return schema;
  return applyMiddleware(schema, { [PERSON_TYPE]: recordPerson });
}

/**
 * Adds the persons served to the response's extensions, for every request
 * whose context was tracked (`trackSubjects`); an empty list when none.
 */
export function subjectReportingPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          if (servedSetOf(contextValue) === undefined) return;
          const { singleResult } = response.body;
          singleResult.extensions = {
            ...singleResult.extensions,
            [SUBJECTS_EXTENSION]: servedSubjects(contextValue),
          };
        },
      };
    },
  };
}
