/**
 * The context the gateway signs for every subgraph call (DESIGN.md: "subgraph
 * fetches carrying a gateway-signed context"). The data holders' kit checks
 * it (`subgraphs/kit/gatewayContext.ts`, which documents the same format; a
 * test signs here and verifies there):
 *
 *   header   alg "EdDSA", typ "passerelle-context+jwt", kid = RFC 7638
 *            thumbprint of the gateway's public key
 *   claims   iss "passerelle-gateway", aud = the subgraph's name, iat, exp
 *            (60 s after iat), jti (unique), scope, and for scope "purpose":
 *            purpose, reuser, agent, reason (when given), requestId, traceId,
 *            policyVersion
 *
 * Sent as `Passerelle-Context: <jwt>`. A token for one subgraph is refused by
 * every other (audience), so a subgraph that turned hostile cannot replay
 * what it received against its neighbours.
 */

export const CONTEXT_TOKEN_HEADER = 'passerelle-context';
export const CONTEXT_TOKEN_TYPE = 'passerelle-context+jwt';
export const CONTEXT_TOKEN_ISSUER = 'passerelle-gateway';
export const CONTEXT_TOKEN_ALGORITHM = 'EdDSA';
/** Long enough for one subgraph call under the gateway's timeout; short enough to be useless stolen. */
export const CONTEXT_TOKEN_LIFETIME_SECONDS = 60;

/** A re-user's request, bound to its purpose by the gateway. */
export type PurposeContextClaims = Readonly<{
  scope: 'purpose';
  purpose: string;
  reuser: string;
  /** The person or service inside the re-user who asks. */
  agent: string;
  reason?: string;
  requestId: string;
  traceId: string;
  /** The policy version the gateway decided the request with. */
  policyVersion: string;
}>;

/**
 * The gateway's own calls, made for no re-user: reading a subgraph's schema
 * at startup, readiness probes. The kit lets them run `_service { sdl }` and
 * `__typename`, nothing else.
 */
export type ServiceContextClaims = Readonly<{ scope: 'service' }>;

export type ContextClaims = PurposeContextClaims | ServiceContextClaims;
