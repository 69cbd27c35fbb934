/**
 * How a re-user proves who it is: a short-lived JWT it signs with its own
 * private key (RFC 7523 style client assertion), sent as
 * `Authorization: Bearer <assertion>`. Used by re-users' code, by
 * `passerelle sandbox credentials`, and by the tests.
 */

export { generateReuserKeyPair, keyIdOf, type ReuserKeyPair } from './keyPair.js';
export {
  ASSERTION_ALGORITHMS,
  type AssertionAlgorithm,
  type AssertionClaims,
  MAX_ASSERTION_LIFETIME_SECONDS,
  signClientAssertion,
} from './signClientAssertion.js';
