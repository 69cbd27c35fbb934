import { randomUUID } from 'node:crypto';
import { type CryptoKey, importJWK, type JWK, SignJWT } from 'jose';
import {
  CONTEXT_TOKEN_ALGORITHM,
  CONTEXT_TOKEN_ISSUER,
  CONTEXT_TOKEN_LIFETIME_SECONDS,
  CONTEXT_TOKEN_TYPE,
  type ContextClaims,
} from './contextClaims.js';

export type ContextSignerOptions = {
  /**
   * Seconds a token lives. The gateway always uses the default (60 s); a
   * longer one exists for load tests that send one token for a whole run.
   */
  lifetimeSeconds?: number;
  /** Milliseconds since the epoch; the system clock by default. */
  now?: () => number;
};

/** Signs context tokens with the gateway's private key, imported once. */
export type ContextSigner = {
  /** The key id in every token's header: the public key's RFC 7638 thumbprint. */
  readonly kid: string;
  readonly lifetimeSeconds: number;
  /** A token for the subgraph named `audience`, and when it expires (ms since the epoch). */
  sign(audience: string, claims: ContextClaims): Promise<{ token: string; expiresAt: number }>;
};

export async function createContextSigner(
  privateJwk: JWK,
  options: ContextSignerOptions = {},
): Promise<ContextSigner> {
  const { kid } = privateJwk;
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || privateJwk.d === undefined) {
    throw new TypeError('the gateway context key must be a private Ed25519 JWK');
  }
  if (kid === undefined) throw new TypeError('the gateway context key must carry its "kid"');
  const lifetimeSeconds = options.lifetimeSeconds ?? CONTEXT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new RangeError('a context token lives a whole, positive number of seconds');
  }
  const now = options.now ?? Date.now;
  const key = (await importJWK(privateJwk, CONTEXT_TOKEN_ALGORITHM)) as CryptoKey;
  return {
    kid,
    lifetimeSeconds,
    async sign(audience, claims) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAt = issuedAt + lifetimeSeconds;
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: CONTEXT_TOKEN_ALGORITHM, typ: CONTEXT_TOKEN_TYPE, kid })
        .setIssuer(CONTEXT_TOKEN_ISSUER)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt: expiresAt * 1000 };
    },
  };
}
