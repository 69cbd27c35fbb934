import { randomUUID } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';

/** Only asymmetric algorithms: never `none`, never a shared secret (DOMAIN.md S1). */
export const ASSERTION_ALGORITHMS = ['ES256', 'EdDSA'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

/** Assertions are short-lived (DECISIONS.md section 1). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

export type AssertionClaims = {
  /** The re-user's organisation id (`iss` = `sub`). */
  reuserId: string;
  /** The gateway's public URL (`aud`). */
  audience: string;
  purpose: string;
  /** The person or service inside the re-user who asks. */
  agent: string;
  /** File or case reference, when the purpose requires one. */
  reason?: string;
};

/**
 * Signs a client assertion with the re-user's private key. The key's `kid`
 * (its RFC 7638 thumbprint) goes in the header so the gateway finds the
 * registered public key.
 */
export async function signClientAssertion(
  privateJwk: JWK,
  claims: AssertionClaims,
  options: { lifetimeSeconds?: number; jti?: string; now?: Date } = {},
): Promise<string> {
  const algorithm = privateJwk.alg;
  if (algorithm !== 'ES256' && algorithm !== 'EdDSA') {
    throw new TypeError('the private JWK must say its algorithm: "alg" is "ES256" or "EdDSA"');
  }
  if (privateJwk.kid === undefined) {
    throw new TypeError('the private JWK must carry its "kid" (the thumbprint of its public key)');
  }
  const lifetime = options.lifetimeSeconds ?? MAX_ASSERTION_LIFETIME_SECONDS;
  if (lifetime <= 0 || lifetime > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw new RangeError(`an assertion lives at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`);
  }
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const key = await importJWK(privateJwk, algorithm);
  return new SignJWT({
    purpose: claims.purpose,
    agent: claims.agent,
    ...(claims.reason === undefined ? {} : { reason: claims.reason }),
  })
    .setProtectedHeader({ alg: algorithm, kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(claims.reuserId)
    .setSubject(claims.reuserId)
    .setAudience(claims.audience)
    .setJti(options.jti ?? randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .sign(key);
}
