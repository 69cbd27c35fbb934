/**
 * The bound request (DECISIONS.md section 1): who asks, for which purpose,
 * with which request and trace ids, built once per request before anything
 * else runs. The credential source (`authentication/`) reads the claims; the
 * rest of the gateway reads `BoundRequest`.
 */
export { createRequestBinder, type RequestBinder } from './bindRequest.js';
export type {
  BindOutcome,
  BoundRequest,
  ClientInfo,
  CredentialOutcome,
  CredentialSource,
  GatewayMode,
  PurposeClaims,
  RequestHeaders,
  TraceabilityClaim,
} from './boundRequest.js';
