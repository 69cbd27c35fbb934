import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { keyIdOf } from '../clientAssertion/index.js';
import { KeyRegistryError } from './errors.js';
import type { KeyAlgorithm } from './model.js';

/** Members that only a private or symmetric key has (RFC 7518 section 6). */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** A P-256 coordinate or an Ed25519 public key: 32 bytes, base64url without padding. */
const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

function refuse(message: string): never {
  throw new KeyRegistryError('KEY_INVALID', message);
}

function algorithmOf(jwk: JWK): KeyAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  const type = jwk.crv === undefined ? `"${String(jwk.kty)}"` : `"${jwk.kty}" "${jwk.crv}"`;
  return refuse(
    `a ${type} key is not accepted: register an Ed25519 key (kty "OKP", crv "Ed25519", for EdDSA) or a P-256 key (kty "EC", crv "P-256", for ES256)`,
  );
}

/**
 * Checks that `jwk` is a public signature key the gateway accepts, and
 * returns it reduced to its public members, with its thumbprint as `kid`
 * and its algorithm as `alg`. Throws `KeyRegistryError` (`KEY_INVALID`)
 * saying what to change.
 */
export async function checkPublicJwk(
  jwk: unknown,
): Promise<{ kid: string; algorithm: KeyAlgorithm; publicJwk: JWK }> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    refuse('expected a JWK: a JSON object with "kty", "crv" and "x" (and "y" for P-256)');
  }
  const candidate = jwk as JWK;
  // Checked first: whatever else is wrong, a private key must never be stored.
  const secrets = SECRET_MEMBERS.filter((member) => Object.hasOwn(candidate, member));
  if (secrets.length > 0) {
    refuse(
      `this JWK holds private key material (${secrets.map((member) => `"${member}"`).join(', ')}): register the public key only, and keep the private key with the re-user`,
    );
  }
  const algorithm = algorithmOf(candidate);
  if (candidate.alg !== undefined && candidate.alg !== algorithm) {
    refuse(
      `"alg" is "${candidate.alg}" but this key is used with ${algorithm}: remove "alg" or set it to "${algorithm}"`,
    );
  }
  if (candidate.use !== undefined && candidate.use !== 'sig') {
    refuse(
      `"use" is "${candidate.use}": a re-user key signs assertions; remove "use" or set it to "sig"`,
    );
  }
  const members = algorithm === 'EdDSA' ? (['x'] as const) : (['x', 'y'] as const);
  for (const member of members) {
    const value = candidate[member];
    if (typeof value !== 'string' || !BASE64URL_32_BYTES.test(value)) {
      refuse(`"${member}" must be 32 bytes in base64url (43 characters, no padding)`);
    }
  }
  const publicMembers: JWK =
    algorithm === 'EdDSA'
      ? { kty: 'OKP', crv: 'Ed25519', x: candidate.x }
      : { kty: 'EC', crv: 'P-256', x: candidate.x, y: candidate.y };
  try {
    // Rejects a point that is not on the curve.
    createPublicKey({ key: publicMembers as JsonWebKey, format: 'jwk' });
  } catch {
    refuse('the key does not decode to a valid public key: export it again from the key pair');
  }
  const kid = await keyIdOf(publicMembers);
  if (candidate.kid !== undefined && candidate.kid !== kid) {
    refuse(
      `"kid" is "${candidate.kid}" but the key's RFC 7638 thumbprint is "${kid}": remove "kid" or set it to the thumbprint`,
    );
  }
  return { kid, algorithm, publicJwk: { ...publicMembers, kid, alg: algorithm } };
}
