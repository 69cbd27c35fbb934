import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { PasserelleError } from '../errors/index.js';
import type { GatewayContext } from '../requestContext/index.js';
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
  /** Guards the query text, then the parsed document before validation, then the cost before planning. */
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

function purposeLimitsOf(context: GatewayContext) {
  const { caller } = context;
  if (caller.kind !== 'purpose')
    return { purpose: undefined, maxDepth: undefined, maxCost: undefined };
  const { purpose } = caller.binding;
  return {
    purpose: purpose.id,
    maxDepth: purpose.limits.maxDepth,
    maxCost: purpose.limits.maxCost,
  };
}

/**
 * The document guards and cost analysis (DOMAIN.md M4 and S7): limits that
 * keep one request from costing the gateway or the data holders much,
 * whatever it asks. They run in three places of Apollo Server's request
 * pipeline, each before the work it protects:
 * - `didResolveSource`, before parsing: the text's size in bytes and tokens
 *   (a parse of a huge or token-heavy text is the first thing to spare);
 * - `validationDidStart`, before validation: depth, aliases, root fields,
 *   directives and fragment cycles, fragments inlined (validation of an
 *   alias bomb is quadratic, so it must not run first);
 * - `didResolveOperation`, before planning and before the policy
 *   pre-flight: the same document checks again (Apollo Server skips parsing
 *   and validation for a document it has already validated, so a purpose
 *   with a tighter `maxDepth` is checked here too), then the cost estimate.
 * Measures are cached per document hash, and cost estimates per document
 * and operation (unless they depend on variables): a distinct document is
 * measured once, and each purpose only compares the measure to its limits.
 *
 * A refusal in the first two places is thrown out of Apollo Server's request
 * processing: the client gets the same 400 and catalogue error, but
 * Apollo's `didEncounterErrors` and `willSendResponse` hooks do not run for
 * it. A stage that must see every refusal wraps the pipeline's `serve`.
 */
export function createDocumentGuardsStage(options: DocumentGuardsOptions): DocumentGuardsStage {
  const { limits } = options;
  const capacity = options.maxCachedDocuments ?? DEFAULT_MAX_CACHED_DOCUMENTS;
  const sourceVerdicts = new BoundedCache<string, PasserelleError | null>(capacity);
  const measures = new BoundedCache<string, DocumentMeasure>(capacity);
  const costs = new BoundedCache<string, number>(capacity);
  let costModel: CostModel | undefined;
  // Built on first use: a gateway that never serves a query never pays for it.
  const model = () => {
    costModel ??= createCostModel(options.supergraphSdl);
    return costModel;
  };

  function guardDocument(context: GatewayContext, document: DocumentNode, queryHash: string): void {
    let measure = measures.get(queryHash);
    if (measure === undefined) {
      measure = measureDocument(document);
      measures.set(queryHash, measure);
    }
    const purpose = purposeLimitsOf(context);
    const depth = effective(limits.maxDepth, purpose.maxDepth, purpose.purpose);
    const refusal = checkDocument(measure, { ...limits, maxDepth: depth.limit }, depth.source);
    if (refusal !== undefined) throw refusal;
  }

  const listener: GraphQLRequestListener<GatewayContext> = {
    async didResolveSource({ source, queryHash }) {
      let verdict = sourceVerdicts.get(queryHash);
      if (verdict === undefined) {
        verdict = checkSource(measureSource(source, limits.maxTokens), limits) ?? null;
        sourceVerdicts.set(queryHash, verdict);
      }
      if (verdict !== null) throw verdict;
    },

    async validationDidStart({ contextValue, document, queryHash }) {
      guardDocument(contextValue, document, queryHash);
    },

    async didResolveOperation({ contextValue, document, queryHash, request, operation }) {
      guardDocument(contextValue, document, queryHash);
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
      const purpose = purposeLimitsOf(contextValue);
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
    plugin: {
      async requestDidStart() {
        return listener;
      },
    },
  };
}
