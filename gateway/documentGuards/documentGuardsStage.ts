import { createHash } from 'node:crypto';
import type {
  ApolloServerPlugin,
  GraphQLRequestListener,
  HTTPGraphQLRequest,
} from '@apollo/server';
import { parse } from 'graphql';
import { PasserelleError } from '../errors/index.js';
import type { Caller, GatewayContext } from '../requestContext/index.js';
import { BoundedCache } from './boundedCache.js';
import { estimateCost } from './costAnalysis.js';
import { type CostModel, createCostModel } from './costModel.js';
import type { GuardLimits } from './guardLimits.js';
import { checkDocument, checkSource } from './guards.js';
import { type DocumentMeasure, measureDocument } from './measureDocument.js';
import { measureSource } from './measureSource.js';

export type DocumentGuardsOptions = {
  /** The gateway's limits (configuration); a purpose may tighten `maxDepth` and `maxCost`. */
  limits: GuardLimits;
  /** The supergraph the gateway serves: its `@cost`, `@listSize` and join directives. */
  supergraphSdl: string;
  /** Distinct documents whose measures are kept (least recently used dropped first). */
  maxCachedDocuments?: number;
};

export type DocumentGuardsStage = {
  /**
   * The document checks, on the request as the HTTP layer read it, before
   * Apollo Server parses or validates anything: the refusal, or undefined
   * when the document is within every limit (or is no document at all:
   * Apollo Server then reports what is wrong with the request).
   */
  check(request: HTTPGraphQLRequest, caller: Caller): PasserelleError | undefined;
  /** The cost estimate, once the operation is validated and resolved, before it is planned. */
  plugin: ApolloServerPlugin<GatewayContext>;
};

const DEFAULT_MAX_CACHED_DOCUMENTS = 1000;

/** The purpose's tighter limit if it has one, and who set the one that applies. */
function effective(
  gatewayLimit: number,
  purposeLimit: number | undefined,
  purpose: string | undefined,
) {
  return purposeLimit !== undefined && purposeLimit < gatewayLimit
    ? { limit: purposeLimit, source: { purpose } }
    : { limit: gatewayLimit, source: { purpose: undefined } };
}

function purposeLimitsOf(caller: Caller) {
  if (caller.kind !== 'purpose')
    return { purpose: undefined, maxDepth: undefined, maxCost: undefined };
  const { purpose } = caller.binding;
  return {
    purpose: purpose.id,
    maxDepth: purpose.limits.maxDepth,
    maxCost: purpose.limits.maxCost,
  };
}

/** The query text of a GraphQL-over-HTTP request, if it has one. */
function queryTextOf(request: HTTPGraphQLRequest): string | undefined {
  if (request.method === 'GET') {
    return new URLSearchParams(request.search).get('query') ?? undefined;
  }
  const { body } = request;
  if (typeof body !== 'object' || body === null || !('query' in body)) return undefined;
  return typeof body.query === 'string' ? body.query : undefined;
}

/** What is known of one query text: its refusal by the source checks, or its parsed measure. */
type DocumentVerdict =
  | { kind: 'refused'; error: PasserelleError }
  | { kind: 'measured'; measure: DocumentMeasure }
  | { kind: 'unparsable' };

/**
 * The document guards and cost analysis (DOMAIN.md M4 and S7): limits that
 * keep one request from costing the gateway or the data holders much,
 * whatever it asks.
 * - `check`, before Apollo Server sees the request: the text's size in bytes
 *   and tokens, before it is parsed (graphql-js's recursive parser overflows
 *   the stack on deep enough nesting); then depth, aliases, root fields,
 *   directives and fragment cycles, fragments inlined, before validation
 *   (validating an alias bomb is quadratic). It runs outside Apollo Server
 *   because an error thrown from Apollo's hooks before validation is masked
 *   as an internal error; it parses the text itself, once per distinct text.
 * - `plugin`, at `didResolveOperation`, before planning and before the
 *   policy pre-flight: the cost estimate, which needs a validated operation.
 * Verdicts are cached per query text hash and estimates per text and
 * operation (unless they depend on variables): a distinct document is
 * measured once, and each purpose only compares the measure to its limits.
 */
export function createDocumentGuardsStage(options: DocumentGuardsOptions): DocumentGuardsStage {
  const { limits } = options;
  const capacity = options.maxCachedDocuments ?? DEFAULT_MAX_CACHED_DOCUMENTS;
  const verdicts = new BoundedCache<string, DocumentVerdict>(capacity);
  const costs = new BoundedCache<string, number>(capacity);
  let costModel: CostModel | undefined;
  // Built on first use: a gateway that never serves a query never pays for it.
  const model = () => {
    costModel ??= createCostModel(options.supergraphSdl);
    return costModel;
  };

  function verdictOf(text: string): DocumentVerdict {
    const hash = createHash('sha256').update(text).digest('hex');
    const known = verdicts.get(hash);
    if (known !== undefined) return known;
    let verdict: DocumentVerdict;
    const refusal = checkSource(measureSource(text, limits.maxTokens), limits);
    if (refusal !== undefined) {
      verdict = { kind: 'refused', error: refusal };
    } else {
      try {
        verdict = {
          kind: 'measured',
          measure: measureDocument(parse(text, { maxTokens: limits.maxTokens })),
        };
      } catch {
        // A syntax error: Apollo Server's own parse reports it, with its location.
        verdict = { kind: 'unparsable' };
      }
    }
    verdicts.set(hash, verdict);
    return verdict;
  }

  function check(request: HTTPGraphQLRequest, caller: Caller): PasserelleError | undefined {
    const text = queryTextOf(request);
    if (text === undefined) return undefined;
    const verdict = verdictOf(text);
    if (verdict.kind === 'refused') return verdict.error;
    if (verdict.kind === 'unparsable') return undefined;
    const purpose = purposeLimitsOf(caller);
    const depth = effective(limits.maxDepth, purpose.maxDepth, purpose.purpose);
    return checkDocument(verdict.measure, { ...limits, maxDepth: depth.limit }, depth.source);
  }

  const listener: GraphQLRequestListener<GatewayContext> = {
    async didResolveOperation({ contextValue, document, queryHash, request, operation }) {
      if (operation === undefined) return;
      const key = `${queryHash}\u0000${request.operationName ?? ''}`;
      let estimate = costs.get(key);
      if (estimate === undefined) {
        const computed = estimateCost(
          model(),
          { document, operationName: request.operationName, variables: request.variables },
          limits.defaultListSize,
        );
        estimate = computed.cost;
        if (!computed.dependsOnVariables) costs.set(key, estimate);
      }
      const purpose = purposeLimitsOf(contextValue.caller);
      const { limit, source } = effective(limits.maxCost, purpose.maxCost, purpose.purpose);
      if (estimate > limit) {
        throw new PasserelleError(
          'COST_ESTIMATED_TOO_EXPENSIVE',
          {
            estimate,
            limit,
            scope: source.purpose === undefined ? '' : ` for the purpose "${source.purpose}"`,
          },
          {
            publicExtensions: {
              estimatedCost: estimate,
              maxCost: limit,
              ...(source.purpose === undefined ? {} : { purpose: source.purpose }),
            },
          },
        );
      }
    },
  };

  return {
    check,
    plugin: {
      async requestDidStart() {
        return listener;
      },
    },
  };
}
