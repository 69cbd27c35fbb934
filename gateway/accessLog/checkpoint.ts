import { readFile } from 'node:fs/promises';
import {
  CompactSign,
  type CryptoKey,
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { createFileOnce } from '../contextToken/index.js';
import { AccessLogError, messageOf } from './errors.js';

const ALGORITHM = 'EdDSA';
const CHECKPOINT_TYPE = 'passerelle-log-checkpoint+jws';

/**
 * Where the checkpoint key pair lives: `<dataDir>/keys/access-log-checkpoint.private.jwk`
 * and `.public.jwk`, generated at the first start. An auditor verifies with
 * a copy of the public half kept elsewhere.
 */
export type CheckpointKeyFiles = Readonly<{ privateKeyFile: string; publicKeyFile: string }>;

/**
 * The key checkpoints are signed and verified with. Without `privateKey`
 * the store can verify and search, but not append or purge.
 */
export type CheckpointKey = Readonly<{
  /** RFC 7638 thumbprint of the public key, the `kid` of every checkpoint. */
  kid: string;
  publicKey: CryptoKey;
  privateKey?: CryptoKey;
}>;

/** What a checkpoint attests: the chain's record at `sequence` had this `hash`. */
export type CheckpointClaim = { chain: string; sequence: number; hash: string };

/** Why the checkpoint was taken: every N records, or at a purge's cut. */
export type CheckpointKind = 'periodic' | 'purge';

function keyError(message: string, error?: unknown): AccessLogError {
  return new AccessLogError(
    'KEY_INVALID',
    error === undefined ? message : `${message}: ${messageOf(error)}`,
  );
}

async function readJwk(file: string): Promise<JWK | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw keyError(`cannot read the access-log checkpoint key ${file}`, error);
  }
  try {
    const jwk = JSON.parse(content) as JWK;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error();
    return jwk;
  } catch {
    throw keyError(`${file} must hold an Ed25519 JWK ("kty": "OKP", "crv": "Ed25519", "x")`);
  }
}

function publicHalf(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

async function checkpointKeyOf(publicJwk: JWK, privateJwk?: JWK): Promise<CheckpointKey> {
  const kid = await calculateJwkThumbprint(publicHalf(publicJwk), 'sha256');
  const publicKey = (await importJWK(publicHalf(publicJwk), ALGORITHM)) as CryptoKey;
  if (privateJwk === undefined) return { kid, publicKey };
  const privateKey = (await importJWK(privateJwk, ALGORITHM)) as CryptoKey;
  return { kid, publicKey, privateKey };
}

/**
 * The checkpoint key pair: read, or generated at the first start (race-safe
 * across processes, private file mode 0600). The public file is written
 * beside it when missing; a public file that does not match the private key
 * is an error, never overwritten: it is what auditors verify with.
 */
export async function ensureCheckpointKey(files: CheckpointKeyFiles): Promise<CheckpointKey> {
  let privateJwk = await readJwk(files.privateKeyFile);
  if (privateJwk === undefined) {
    const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    try {
      await createFileOnce(files.privateKeyFile, `${JSON.stringify(jwk, null, 2)}\n`);
    } catch (error) {
      throw keyError(`cannot create the access-log checkpoint key ${files.privateKeyFile}`, error);
    }
    privateJwk = await readJwk(files.privateKeyFile);
  }
  if (privateJwk?.d === undefined) {
    throw keyError(`${files.privateKeyFile} must hold the private Ed25519 JWK (with "d")`);
  }
  const expectedPublic = publicHalf(privateJwk);
  const published = await readJwk(files.publicKeyFile);
  if (published === undefined) {
    try {
      await createFileOnce(
        files.publicKeyFile,
        `${JSON.stringify({ ...expectedPublic, alg: ALGORITHM, use: 'sig' }, null, 2)}\n`,
        0o644,
      );
    } catch (error) {
      throw keyError(`cannot write the checkpoint public key ${files.publicKeyFile}`, error);
    }
  } else if (published.x !== expectedPublic.x) {
    throw keyError(
      `${files.publicKeyFile} does not match the private key ${files.privateKeyFile}: restore the matching pair`,
    );
  }
  return checkpointKeyOf(expectedPublic, privateJwk);
}

/** The public half only, for verifying (`passerelle log verify --public-key`). */
export async function readCheckpointPublicKey(file: string): Promise<CheckpointKey> {
  const jwk = await readJwk(file);
  if (jwk === undefined) {
    throw keyError(
      `the access-log checkpoint public key ${file} does not exist: give the key the log was signed with`,
    );
  }
  return checkpointKeyOf(jwk);
}

/** A compact JWS (EdDSA) over the claim; its payload is the claim itself, as JSON. */
export async function signCheckpoint(
  key: CheckpointKey,
  claim: CheckpointClaim,
  kind: CheckpointKind,
  signedAt: Date,
): Promise<string> {
  if (key.privateKey === undefined) {
    throw new AccessLogError(
      'KEY_INVALID',
      'the access log was opened without the checkpoint private key: it can verify but not write',
    );
  }
  const payload = {
    chain: claim.chain,
    sequence: claim.sequence,
    hash: claim.hash,
    kind,
    signedAt: signedAt.toISOString(),
  };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: CHECKPOINT_TYPE })
    .sign(key.privateKey);
}

/**
 * The kind of checkpoint `signature` attests when it is this key's
 * signature of exactly this claim; undefined otherwise (forged, altered,
 * signed by another key, or naming another record).
 */
export async function verifiedCheckpointKind(
  key: CheckpointKey,
  claim: CheckpointClaim,
  signature: string,
): Promise<CheckpointKind | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(signature, key.publicKey, {
      algorithms: [ALGORITHM],
    });
    if (protectedHeader.typ !== CHECKPOINT_TYPE) return undefined;
    const signed = JSON.parse(new TextDecoder().decode(payload)) as Partial<
      CheckpointClaim & { kind: CheckpointKind }
    >;
    const matches =
      signed.chain === claim.chain &&
      signed.sequence === claim.sequence &&
      signed.hash === claim.hash;
    return matches && (signed.kind === 'periodic' || signed.kind === 'purge')
      ? signed.kind
      : undefined;
  } catch {
    return undefined;
  }
}
