/**
 * What a person sees of the use of their data (DOMAIN.md T5): their access
 * history, read with an OpenID Connect ID token from a trusted identity
 * provider, and, in the sandbox only, a built-in identity provider to try it.
 */
export { createAccessHistory, type PersonAccess } from './accessHistory.js';
export { createPersonRoutes, type PersonRequest, type PersonRoutes } from './personRoutes.js';
export {
  createPersonTokenVerifier,
  type PersonTokenVerifier,
  type TrustedIdentityProvider,
} from './personTokens.js';
export {
  createSandboxIdentityProvider,
  SANDBOX_ID_TOKEN_LIFETIME_SECONDS,
  type SandboxIdentityProvider,
} from './sandboxIdentityProvider.js';
