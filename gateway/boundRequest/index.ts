/**
 * The bound request (DECISIONS.md section 1): who asks, for which purpose,
 * with which request and trace ids, built once per request before anything
 * else runs. The credential source is the one part that changes when
 * authentication lands: add a source beside `fromSandboxHeaders` and return
 * it from `credentialSourceFor`; the rest of the gateway reads `BoundRequest`.
 */
export { createRequestBinder, credentialSourceFor, type RequestBinder } from './bindRequest.js';
export type {
  BindOutcome,
  BoundRequest,
  CredentialOutcome,
  CredentialSource,
  GatewayMode,
  PurposeClaims,
  RequestHeaders,
  TraceabilityClaim,
} from './boundRequest.js';
export { fromSandboxHeaders, SANDBOX_HEADERS } from './fromSandboxHeaders.js';
export { noCredentialsYet } from './noCredentialsYet.js';
