import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Clock } from '../../policies/engine/index.js';
import {
  type ArgumentViolation,
  checkArguments,
  createOperationChecker,
  type DeniedField,
  type OperationAnalysis,
  type OperationChecker,
  OperationTooLargeError,
  selectsOnlySchema,
} from '../../policies/engine/index.js';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { GatewayContext } from '../requestContext/index.js';
import {
  argumentDeniedError,
  type Decider,
  dryRunEntries,
  fieldDeniedError,
  fieldFilteredError,
} from './denials.js';
import { completeFilteredResult } from './filteredResult.js';
import { type FilteredOperation, filteredOperationOf } from './filterOperation.js';

type GatewayExecutor = NonNullable<Awaited<ReturnType<ApolloGateway['load']>>['executor']>;

/** What the pre-flight decided for one request, when it lets it run with something denied. */
type Decision =
  | { kind: 'filter'; decider: Decider; filter: FilteredOperation }
  | {
      kind: 'dry-run';
      decider: Decider;
      denied: readonly DeniedField[];
      violations: readonly ArgumentViolation[];
    };

export type PreflightStage = {
  /** Runs the check once the operation is parsed, validated and resolved, before any subgraph call. */
  plugin: ApolloServerPlugin<GatewayContext>;
  /** Plan & execute through this: in filter mode it plans the operation without its denied fields. */
  wrapExecutor(executor: GatewayExecutor): GatewayExecutor;
};

export type PreflightOptions = {
  logger: Logger;
  /** The gateway's calendar, for the checker (requests use the "today" of their context). */
  clock: Clock;
  /** Analyses kept in the LRU cache (default: the engine's). */
  maxCachedAnalyses?: number;
};

function missingPurposeError(missing: readonly string[]): PasserelleError<'BAD_REQUEST'> {
  return new PasserelleError('BAD_REQUEST', {
    problem: `the request declares no purpose. Send ${missing.join(', ')}: without them the sandbox answers only __typename and introspection.`,
  });
}

/**
 * The policy pre-flight (DESIGN.md: deny by default, whole-request reject
 * listing denied fields). After Apollo Server has parsed, validated and
 * resolved the operation, and before the query planner runs, it checks the
 * operation against the bound purpose, in the purpose's mode:
 * - `reject` (default): anything denied refuses the whole request, 403,
 *   `PURPOSE_FIELD_DENIED` listing every denied field and where, or
 *   `PURPOSE_ARGUMENT_DENIED` for argument values outside the purpose
 *   (fields are reported first when both are wrong);
 * - `filter`: denied fields are removed from the operation before planning,
 *   so no data holder is asked for them, and answer null with one error per
 *   place (see `completeFilteredResult` for nulls in non-null positions).
 *   Argument values outside the purpose still refuse the request: a value
 *   cannot be filtered, and an empty answer would read as "no data";
 * - `dry-run`: the request runs as if everything were granted; what reject
 *   would have refused is logged and returned in `extensions.passerelle`.
 * Without a purpose (sandbox only), only `__typename` and introspection pass.
 */
export function createPreflightStage(options: PreflightOptions): PreflightStage {
  const { logger } = options;
  const decisions = new WeakMap<GatewayContext, Decision>();
  // One checker per API schema; the supergraph is static, so in practice one.
  const checkers = new WeakMap<GraphQLSchema, OperationChecker>();
  const checkerFor = (schema: GraphQLSchema) => {
    let checker = checkers.get(schema);
    if (checker === undefined) {
      checker = createOperationChecker({
        schema,
        clock: options.clock,
        ...(options.maxCachedAnalyses === undefined
          ? {}
          : { maxCachedAnalyses: options.maxCachedAnalyses }),
      });
      checkers.set(schema, checker);
    }
    return checker;
  };

  const listener: GraphQLRequestListener<GatewayContext> = {
    async didResolveOperation(requestContext) {
      const { contextValue: context, document, request, schema } = requestContext;
      // No operation to run: Apollo Server reports it, and nothing is fetched.
      if (requestContext.operation === undefined) return;
      context.disclosure.noteOperation(
        requestContext.operation.operation,
        requestContext.operation.name?.value,
      );
      const { caller } = context;
      if (caller.kind === 'anonymous') {
        if (context.mode === 'sandbox' && selectsOnlySchema(document, request.operationName)) {
          return;
        }
        throw missingPurposeError(caller.missing);
      }

      const { purpose } = caller.binding;
      const decider: Decider = { purpose: purpose.id, policyVersion: context.policySet.version };
      let analysis: OperationAnalysis;
      try {
        analysis = checkerFor(schema).analyse({
          document,
          documentHash: requestContext.queryHash,
          operationName: request.operationName,
          purpose,
          policyVersion: context.policySet.version,
        });
      } catch (error) {
        if (!(error instanceof OperationTooLargeError)) throw error;
        throw new PasserelleError('BAD_REQUEST', {
          problem: `${error.message}. Send a smaller query.`,
        });
      }
      // A purpose that may list persons bounds how many one response may carry.
      context.subjects.boundBy(analysis.maxPersons);
      // Against the request's own "today", fixed when it arrived.
      const violations = checkArguments(analysis, request.variables, context.today);
      const denied = analysis.denied;
      // What leaves if the request is served: in filter mode, without the denied fields.
      const deniedCoordinates = new Set(
        purpose.mode === 'dry-run' ? [] : denied.map((field) => field.coordinate),
      );
      context.disclosure.noteCoordinates(
        analysis.used
          .map((use) => use.coordinate)
          .filter((coordinate) => !deniedCoordinates.has(coordinate)),
      );
      if (denied.length === 0 && violations.length === 0 && purpose.mode !== 'dry-run') return;

      switch (purpose.mode) {
        case 'reject':
          throw denied.length > 0
            ? fieldDeniedError(decider, denied)
            : argumentDeniedError(decider, violations);
        case 'filter':
          if (violations.length > 0) throw argumentDeniedError(decider, violations);
          decisions.set(context, {
            kind: 'filter',
            decider,
            filter: filteredOperationOf(analysis, requestContext.queryHash),
          });
          return;
        case 'dry-run':
          decisions.set(context, { kind: 'dry-run', decider, denied, violations });
          if (denied.length > 0 || violations.length > 0) {
            // Coordinates and argument names only: never values, which may be personal data.
            logger.info(
              {
                requestId: context.requestId,
                reuser: caller.binding.reuser.id,
                ...decider,
                deniedFields: denied.map((field) => field.coordinate),
                deniedArguments: violations.map(
                  (violation) => `${violation.coordinate}(${violation.argument}:)`,
                ),
              },
              'dry-run purpose: reject mode would have refused this request',
            );
          }
          return;
      }
    },

    async willSendResponse({ contextValue, response }) {
      const decision = decisions.get(contextValue);
      if (decision?.kind !== 'dry-run' || response.body.kind !== 'single') return;
      const result = response.body.singleResult;
      result.extensions = {
        ...result.extensions,
        passerelle: {
          ...decision.decider,
          dryRunDenied: dryRunEntries(decision.denied, decision.violations),
        },
      };
    },
  };

  return {
    plugin: {
      async requestDidStart() {
        return listener;
      },
    },
    wrapExecutor(executor) {
      return async (requestContext) => {
        const decision = decisions.get(requestContext.context as GatewayContext);
        if (decision?.kind !== 'filter') return executor(requestContext);
        const { filter, decider } = decision;
        const result = await executor({
          ...requestContext,
          document: filter.document,
          queryHash: filter.queryHash,
        });
        const errors: GraphQLError[] = [...(result.errors ?? [])];
        const data = completeFilteredResult(result.data, filter, (field, position) => {
          errors.push(fieldFilteredError(decider, field, position));
        });
        return { ...result, data, ...(errors.length > 0 ? { errors } : {}) };
      };
    },
  };
}
