/**
 * The gateway's signed context for subgraph calls: its format
 * (`contextClaims.ts`), signing, and the gateway's own Ed25519 key pair,
 * generated at first start into the data folder or given by the operator.
 * The verifying side is in the data holders' kit (`subgraphs/kit/`).
 */

export {
  CONTEXT_TOKEN_ALGORITHM,
  CONTEXT_TOKEN_HEADER,
  CONTEXT_TOKEN_ISSUER,
  CONTEXT_TOKEN_LIFETIME_SECONDS,
  CONTEXT_TOKEN_TYPE,
  type ContextClaims,
  type PurposeContextClaims,
  type ServiceContextClaims,
} from './contextClaims.js';
export {
  ContextKeyError,
  type ContextKeyFiles,
  createFileOnce,
  ensureGatewayContextKey,
  type GatewayContextKey,
  generateGatewayContextKey,
} from './contextKeyFiles.js';
export {
  type ContextSigner,
  type ContextSignerOptions,
  createContextSigner,
} from './signContextToken.js';
