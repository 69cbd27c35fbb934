import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AssertionAlgorithm } from './signClientAssertion.js';

export type ReuserKeyPair = {
  algorithm: AssertionAlgorithm;
  /** Key id: the RFC 7638 thumbprint of the public key (SHA-256, base64url). */
  kid: string;
  /** Stays with the re-user; never sent anywhere. */
  privateJwk: JWK;
  /** What the re-user registers with the gateway. */
  publicJwk: JWK;
};

/** The key id of a public key: its RFC 7638 thumbprint, so it cannot be chosen freely. */
export function keyIdOf(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwk, 'sha256');
}

/** A fresh asymmetric key pair (Ed25519 by default, or P-256 for ES256). */
export async function generateReuserKeyPair(
  algorithm: AssertionAlgorithm = 'EdDSA',
): Promise<ReuserKeyPair> {
  const { privateKey, publicKey } =
    algorithm === 'EdDSA'
      ? await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
      : await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await keyIdOf(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: algorithm };
  return { algorithm, kid, privateJwk, publicJwk: { ...publicJwk, kid, alg: algorithm } };
}
