/**
 * Re-user authentication (DOMAIN.md S1-S4, DECISIONS.md section 1): the
 * client assertion in `Authorization: Bearer`, verified against the key
 * registry (signature, audience, lifetime, replay), the lockout of
 * (re-user, address) pairs after repeated failures, the re-users' own key
 * endpoints (`/keys`), and the expiry warnings.
 */
export {
  type AssertionVerifier,
  type AssertionVerifierOptions,
  createAssertionVerifier,
  type VerifiedAssertion,
} from './assertionVerifier.js';
export {
  type AuthenticationOutcome,
  type Authenticator,
  CREDENTIALS_EXPECTED,
  clientAssertionSource,
  createAuthenticator,
} from './clientAssertionSource.js';
export { type ExpiryNotifier, startExpiryNotifier } from './expiryNotifier.js';
export {
  createKeySelfService,
  KEY_MANAGEMENT_PURPOSE,
  type KeySelfService,
  type KeysRequest,
  type KeysResponse,
} from './keySelfService.js';
export { createLockout, type Lockout, type LockoutSettings, type LockoutState } from './lockout.js';
