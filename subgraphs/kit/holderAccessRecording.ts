import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DataHolderName } from './dataHolder.js';
import type { PurposeContext } from './gatewayContext.js';
import {
  HOLDER_ACCESS_LOG_UNAVAILABLE,
  type HolderAccessEntry,
  type HolderAccessLog,
} from './holderAccessLog.js';
import { servedSubjects } from './subjectReporting.js';

/**
 * What the holder's log needs of one request, in its context object under a
 * symbol (as `subjectReporting` does, for the same reason: Apollo hands
 * plugins a shallow copy of the context, which keeps this member).
 */
type AccessFacts = {
  claims: PurposeContext;
  /** When the request reached the holder. */
  arrivedAt: Date;
  /** `Type.field` of every field that resolved without error. */
  coordinates: Set<string>;
};

const ACCESS = Symbol('passerelle.holderAccess');

type Tracked = { [ACCESS]?: AccessFacts };

function factsOf(context: unknown): AccessFacts | undefined {
  return typeof context === 'object' && context !== null ? (context as Tracked)[ACCESS] : undefined;
}

/**
 * Starts noting what the request, bound to a purpose by `claims`, resolves.
 * Only such requests are logged: service calls (schema reads, probes) serve
 * no one.
 */
export function trackAccess<Context extends object>(
  context: Context,
  claims: PurposeContext,
  arrivedAt: Date,
): Context {
  return Object.assign(context, {
    [ACCESS]: { claims, arrivedAt, coordinates: new Set<string>() } satisfies AccessFacts,
  });
}

/** Fields federation itself needs (entity fetches, SDL): no personal data, not logged. */
const FEDERATION_FIELDS: ReadonlySet<string> = new Set([
  'Query._entities',
  'Query._service',
  '_Service.sdl',
]);

/**
 * The holder's own access log (DOMAIN.md T2), written before each response
 * leaves: the coordinates come from Apollo's `willResolveField`, one
 * synchronous call per resolved field with no promise of its own (cheaper
 * than a middleware on every field); the persons from `subjectReporting`.
 *
 * "No log, no data" on the holder's side too: when the record cannot be made
 * durable, the response is replaced by HTTP 503 `HOLDER_ACCESS_LOG_UNAVAILABLE`
 * with neither data nor the persons served.
 *
 * Install after `subjectReportingPlugin`, whose extension a failure drops.
 */
export function holderAccessLogPlugin<Context extends BaseContext>(options: {
  holder: DataHolderName;
  accessLog: HolderAccessLog;
  /** Told of every failed write (for the process log); the client only gets the code. */
  onFailure?: ((error: unknown) => void) | undefined;
}): ApolloServerPlugin<Context> {
  const { holder, accessLog, onFailure } = options;
  return {
    async requestDidStart({ contextValue }) {
      const facts = factsOf(contextValue);
      if (facts === undefined) return;
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              const coordinate = `${info.parentType.name}.${info.fieldName}`;
              if (FEDERATION_FIELDS.has(coordinate) || info.fieldName.startsWith('__')) return;
              // The purpose shield refuses by returning an Error: that serves nothing.
              return (error, result) => {
                if (error === null && !(result instanceof Error)) facts.coordinates.add(coordinate);
              };
            },
          };
        },
        async willSendResponse({ contextValue, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : [];
          const firstError = errors?.[0];
          const { claims } = facts;
          const entry: HolderAccessEntry = {
            timestamp: facts.arrivedAt.toISOString(),
            holder,
            traceId: claims.traceId,
            requestId: claims.requestId,
            reuserId: claims.reuser,
            agent: claims.agent,
            purposeId: claims.purpose,
            reason: claims.reason,
            policyVersion: claims.policyVersion,
            coordinates: [...facts.coordinates],
            subjects: servedSubjects(contextValue),
            outcome:
              firstError === undefined
                ? { status: 'served' }
                : {
                    status: 'refused',
                    code:
                      typeof firstError.extensions?.code === 'string'
                        ? firstError.extensions.code
                        : 'INTERNAL_SERVER_ERROR',
                  },
          };
          try {
            await accessLog.append(entry);
          } catch (error) {
            onFailure?.(error);
            response.http.status = 503;
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: `Data holder ${holder} cannot write its access log, so it serves no data. Retry later.`,
                    extensions: { code: HOLDER_ACCESS_LOG_UNAVAILABLE },
                  },
                ],
              },
            };
          }
        },
      };
    },
  };
}
