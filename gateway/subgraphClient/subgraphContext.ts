import type { ContextSigner, PurposeContextClaims } from '../contextToken/index.js';
import type { GatewayContext } from '../requestContext/index.js';

/**
 * A token is reused until this long before it expires, so that it never
 * expires on the way to the subgraph or while the subgraph checks it.
 */
const REUSE_MARGIN_MS = 15_000;

type CachedToken = { token: Promise<string>; reuseUntil: number };

/**
 * The `Passerelle-Context` tokens of subgraph calls. Signing costs an
 * Ed25519 signature (about 0.1 to 0.3 ms of CPU, bench/contextTokenCost.ts),
 * so a request signs at most one token per subgraph, reused by every fetch
 * of its query plan to that subgraph. The cache is keyed by the request's
 * context object and goes with it.
 */
export type SubgraphContextTokens = {
  /** For a fetch made on behalf of a client request. */
  forRequest(context: GatewayContext, subgraph: string): Promise<string>;
  /** For the gateway's own calls: schema reads at startup, readiness probes. */
  forService(subgraph: string): Promise<string>;
};

/** A request bound to no purpose reached a subgraph fetch: the pre-flight should have stopped it. */
export class UnboundSubgraphFetchError extends Error {
  override readonly name = 'UnboundSubgraphFetchError';
}

function purposeClaimsOf(context: GatewayContext): PurposeContextClaims {
  // Deny by default: the pre-flight lets anonymous requests through only
  // for __typename and introspection, which the gateway answers itself.
  if (context.caller.kind !== 'purpose') {
    throw new UnboundSubgraphFetchError('a subgraph call needs a request bound to a purpose');
  }
  const { request, purpose, reuser } = context.caller.binding;
  return {
    scope: 'purpose',
    purpose: purpose.id,
    reuser: reuser.id,
    agent: request.agent,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    requestId: context.requestId,
    traceId: context.traceId,
    policyVersion: context.policySet.version,
  };
}

export function createSubgraphContextTokens(
  signer: ContextSigner,
  now: () => number = Date.now,
): SubgraphContextTokens {
  const byRequest = new WeakMap<GatewayContext, Map<string, CachedToken>>();
  const forServiceBySubgraph = new Map<string, CachedToken>();

  const reuseOrSign = (
    cache: Map<string, CachedToken>,
    subgraph: string,
    sign: () => Promise<{ token: string; expiresAt: number }>,
  ): Promise<string> => {
    const cached = cache.get(subgraph);
    if (cached !== undefined && now() < cached.reuseUntil) return cached.token;
    // Never reused past its lifetime minus the margin, even when the lifetime is short.
    const reuseUntil = now() + Math.max(0, signer.lifetimeSeconds * 1000 - REUSE_MARGIN_MS);
    let signing: Promise<{ token: string }>;
    try {
      signing = sign();
    } catch (error) {
      return Promise.reject(error);
    }
    const token = signing.then((signed) => signed.token);
    const entry = { token, reuseUntil };
    cache.set(subgraph, entry);
    // A failed signature is not kept: the next fetch tries again.
    token.catch(() => {
      if (cache.get(subgraph) === entry) cache.delete(subgraph);
    });
    return token;
  };

  return {
    forRequest(context, subgraph) {
      let tokens = byRequest.get(context);
      if (tokens === undefined) {
        tokens = new Map();
        byRequest.set(context, tokens);
      }
      return reuseOrSign(tokens, subgraph, () => signer.sign(subgraph, purposeClaimsOf(context)));
    },
    forService(subgraph) {
      return reuseOrSign(forServiceBySubgraph, subgraph, () =>
        signer.sign(subgraph, { scope: 'service' }),
      );
    },
  };
}
