import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { PasserelleError } from '../errors/index.js';

/** An identity provider whose tokens the access history accepts. */
export type TrustedIdentityProvider =
  | { issuer: string; jwks: JSONWebKeySet }
  | { issuer: string; jwksUrl: string };

export type PersonTokenVerifier = {
  /** The person a bearer ID token names, or throws `PERSON_AUTH_INVALID`. */
  verify(token: string): Promise<{ personId: string; issuer: string }>;
};

const SIGNATURE_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'];

function refused(reason: string, problem: string): PasserelleError<'PERSON_AUTH_INVALID'> {
  return new PasserelleError('PERSON_AUTH_INVALID', { problem }, { publicExtensions: { reason } });
}

/**
 * Verifies the OpenID Connect ID tokens persons present to read their own
 * access history: signed by a trusted provider (its published keys), for
 * this service (`aud`), not expired. The person is the token's `sub`.
 */
export function createPersonTokenVerifier(options: {
  providers: readonly TrustedIdentityProvider[];
  audience: string;
}): PersonTokenVerifier {
  const keySets = new Map(
    options.providers.map((provider) => [
      provider.issuer,
      'jwks' in provider
        ? createLocalJWKSet(provider.jwks)
        : createRemoteJWKSet(new URL(provider.jwksUrl), { timeoutDuration: 5_000 }),
    ]),
  );
  return {
    async verify(token) {
      let issuer: unknown;
      try {
        const [, payload = ''] = token.split('.');
        issuer = (
          JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }
        ).iss;
      } catch {
        throw refused('MALFORMED', 'it is not a signed JWT.');
      }
      const keys = typeof issuer === 'string' ? keySets.get(issuer) : undefined;
      if (keys === undefined) {
        throw refused(
          'UNKNOWN_ISSUER',
          'it was not issued by an identity provider this service trusts.',
        );
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: issuer as string,
          audience: options.audience,
          algorithms: SIGNATURE_ALGORITHMS,
          requiredClaims: ['sub', 'exp', 'iat'],
          clockTolerance: 30,
        });
        const personId = payload.sub;
        if (typeof personId !== 'string' || personId === '' || personId.length > 200) {
          throw refused('CLAIM_INVALID', 'its "sub" claim does not name a person.');
        }
        return { personId, issuer: issuer as string };
      } catch (error) {
        if (error instanceof PasserelleError) throw error;
        if (error instanceof errors.JWTExpired)
          throw refused('EXPIRED', 'it has expired: sign in again.');
        if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
          throw refused(
            'WRONG_AUDIENCE',
            `it is not meant for this service (aud must be "${options.audience}").`,
          );
        }
        if (error instanceof errors.JOSEError) {
          throw refused('INVALID', `it cannot be verified (${error.code}).`);
        }
        throw error;
      }
    },
  };
}
