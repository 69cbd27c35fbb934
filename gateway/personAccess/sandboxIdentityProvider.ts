import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';

/** How long a sandbox identity token lives. */
export const SANDBOX_ID_TOKEN_LIFETIME_SECONDS = 600;

export type SandboxIdentityProvider = {
  /** The `iss` of its tokens. */
  readonly issuer: string;
  /** Its public keys, as an OpenID provider publishes them. */
  readonly jwks: JSONWebKeySet;
  /** An ID token saying the bearer is the person `personId`, for `audience`. */
  issueToken(personId: string, audience: string): Promise<string>;
};

/**
 * A built-in OpenID Connect identity provider for the sandbox only: it signs
 * ID tokens for any fictitious person who asks, so that a developer (or a
 * test) can try a person's access history without a real identity provider
 * such as FranceConnect. Its key pair lives in memory: tokens die with the
 * process. Production trusts a real provider instead (PASSERELLE_OIDC_*).
 */
export async function createSandboxIdentityProvider(
  issuer: string,
): Promise<SandboxIdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  return {
    issuer,
    jwks,
    async issueToken(personId, audience) {
      return new SignJWT({ auth_time: Math.floor(Date.now() / 1000) })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(personId)
        .setAudience(audience)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${SANDBOX_ID_TOKEN_LIFETIME_SECONDS}s`)
        .sign(privateKey);
    },
  };
}
