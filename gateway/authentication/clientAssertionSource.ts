import type {
  ClientInfo,
  CredentialOutcome,
  CredentialSource,
  GatewayMode,
  RequestHeaders,
} from '../boundRequest/index.js';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import {
  type AssertionVerifier,
  claimedIssuerOf,
  invalidAssertion,
  type VerifiedAssertion,
} from './assertionVerifier.js';
import type { Lockout } from './lockout.js';

/** What to send, in words, for a request that sends nothing. */
export const CREDENTIALS_EXPECTED =
  'Authorization: Bearer <client assertion signed with your registered key>';

const HOW_TO_AUTHENTICATE =
  'Send Authorization: Bearer <assertion>, a JWT signed with your registered key (see the README, Keys and credentials; in the sandbox, passerelle sandbox credentials makes one).';

/** Codes that count as a failed authentication for the lockout. */
const FAILURE_CODES = new Set([
  'AUTH_INVALID',
  'AUTH_EXPIRED',
  'AUTH_REPLAYED',
  'AUTH_UNKNOWN_KEY',
  'AUTH_KEY_REVOKED',
  'KEY_NOT_OWNED',
]);

export type AuthenticationOutcome =
  | { ok: true; assertion: VerifiedAssertion }
  | { ok: false; error: PasserelleError; claimedReuser?: string };

export type Authenticator = {
  /**
   * Reads and checks the `Authorization` header: `undefined` when there is
   * none, else the verified assertion or the refusal. Failures count
   * towards the lockout of the (claimed re-user, address) pair.
   */
  authenticate(
    headers: RequestHeaders,
    client: ClientInfo,
  ): Promise<AuthenticationOutcome | undefined>;
};

function bearerTokenOf(authorization: string): string | undefined {
  const match = /^Bearer[ \t]+([A-Za-z0-9_.~+/=-]+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

export function createAuthenticator(options: {
  verifier: AssertionVerifier;
  lockout: Lockout;
  logger: Logger;
}): Authenticator {
  const { verifier, lockout, logger } = options;
  return {
    async authenticate(headers, client) {
      const authorization = headers.get('authorization');
      if (authorization === undefined || authorization.trim() === '') return undefined;
      const token = bearerTokenOf(authorization);
      if (token === undefined) {
        return {
          ok: false,
          error: invalidAssertion(
            'NOT_BEARER',
            'the Authorization header must be "Bearer " followed by the assertion (a JWT).',
          ),
        };
      }
      const claimedReuser = claimedIssuerOf(token);
      const state = await lockout.state(claimedReuser, client.address);
      if (state.locked) {
        return {
          ok: false,
          claimedReuser,
          error: new PasserelleError(
            'AUTH_LOCKED',
            { reuser: claimedReuser, retryAfterSeconds: state.retryAfterSeconds },
            { publicExtensions: { retryAfterSeconds: state.retryAfterSeconds } },
          ),
        };
      }
      try {
        const assertion = await verifier.verify(token);
        if (state.failures > 0) await lockout.recordSuccess(claimedReuser, client.address);
        return { ok: true, assertion };
      } catch (error) {
        if (!(error instanceof PasserelleError) || !FAILURE_CODES.has(error.code)) throw error;
        const locked = await lockout.recordFailure(claimedReuser, client.address);
        // Operators see failures (no token, no personal data): a lockout is worth a warning.
        logger[locked ? 'warn' : 'info'](
          {
            reuser: claimedReuser,
            address: client.address,
            code: error.code,
            reason: error.publicExtensions.reason,
          },
          locked ? 'authentication failures: pair locked out' : 'authentication refused',
        );
        return { ok: false, error, claimedReuser };
      }
    },
  };
}

/**
 * The bound request's credentials, in both modes: a client assertion. A
 * request with no `Authorization` header is `absent` in the sandbox (it may
 * look at the schema) and refused with `AUTH_MISSING` in production.
 */
export function clientAssertionSource(
  mode: GatewayMode,
  authenticator: Authenticator,
): CredentialSource {
  return {
    async read(headers, client): Promise<CredentialOutcome> {
      const outcome = await authenticator.authenticate(headers, client);
      if (outcome === undefined) {
        return mode === 'sandbox'
          ? { kind: 'absent', missing: [CREDENTIALS_EXPECTED] }
          : {
              kind: 'refused',
              error: new PasserelleError('AUTH_MISSING', { action: HOW_TO_AUTHENTICATE }),
            };
      }
      if (!outcome.ok) {
        // '?' stands for a token naming no readable re-user: nobody is claimed.
        const claimed = outcome.claimedReuser;
        return {
          kind: 'refused',
          error: outcome.error,
          ...(claimed === undefined || claimed === '?' ? {} : { claimedReuser: claimed }),
        };
      }
      const { assertion } = outcome;
      return {
        kind: 'claims',
        claims: {
          reuserId: assertion.reuserId,
          purposeId: assertion.purposeId,
          agent: assertion.agent,
          ...(assertion.reason === undefined ? {} : { reason: assertion.reason }),
          keyId: assertion.kid,
        },
      };
    },
    whereIs: (claim) =>
      claim === 'reuser'
        ? 'the "iss" and "sub" claims of the client assertion'
        : `the "${claim}" claim of the client assertion`,
  };
}
