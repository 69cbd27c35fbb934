import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { CONTEXT_TOKEN_ALGORITHM } from './contextClaims.js';

/**
 * Where the gateway's context key pair lives:
 * - `generated`: in the data folder (`<dataDir>/keys/`), created at the first
 *   start by whichever process (launcher or gateway) gets there first;
 * - `operator`: a private key file the operator provides
 *   (`PASSERELLE_CONTEXT_PRIVATE_KEY_FILE`); it is never generated, and its
 *   absence is an error.
 * In both cases the public half is published at `publicKeyFile`, where the
 * data holders read it (`PASSERELLE_GATEWAY_PUBLIC_KEY_FILE`).
 */
export type ContextKeyFiles = Readonly<{
  source: 'generated' | 'operator';
  privateKeyFile: string;
  publicKeyFile: string;
}>;

export type GatewayContextKey = Readonly<{
  /** The RFC 7638 thumbprint of the public key; the `kid` of every token. */
  kid: string;
  /** Stays in the gateway's process and its key file (mode 0600). */
  privateJwk: JWK;
  /** What the data holders verify with. */
  publicJwk: JWK;
  /** True when this call created the key pair. */
  generated: boolean;
}>;

/** The key file is missing (operator-provided), unreadable or not an Ed25519 private JWK. */
export class ContextKeyError extends Error {
  override readonly name = 'ContextKeyError';
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A name beside `file` that no other process picks. */
function temporaryBeside(file: string): string {
  return `${file}.${process.pid}.${randomUUID()}.tmp`;
}

async function readPrivateKey(file: string): Promise<JWK | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new ContextKeyError(
      `cannot read the gateway context key ${file} (${errorCode(error) ?? String(error)})`,
    );
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(content);
  } catch {
    throw new ContextKeyError(`${file} is not JSON: expected a private Ed25519 JWK`);
  }
  const candidate = jwk as Partial<Record<string, unknown>>;
  if (
    typeof jwk !== 'object' ||
    jwk === null ||
    candidate.kty !== 'OKP' ||
    candidate.crv !== 'Ed25519' ||
    typeof candidate.x !== 'string' ||
    typeof candidate.d !== 'string'
  ) {
    throw new ContextKeyError(
      `${file} must hold a private Ed25519 JWK ("kty": "OKP", "crv": "Ed25519", "x", "d")`,
    );
  }
  return jwk as JWK;
}

/**
 * Creates `file` holding `content` unless it exists already, and says whether
 * this call created it. Safe when several processes start at once: each
 * writes its own temporary file (mode `mode`, 0600 by default) completely,
 * then links it to the final name, which fails if another process got there
 * first; the loser drops its content and everyone reads the winner's. A
 * reader never sees a half-written file. Throws the file system's error.
 */
export async function createFileOnce(
  file: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryBeside(file);
  await writeFile(temporary, content, { mode, flag: 'wx' });
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** Creates a key pair at `file` unless one is there already (see `createFileOnce`). */
async function generatePrivateKey(file: string): Promise<boolean> {
  const jwk = await newPrivateJwk();
  try {
    return await createFileOnce(file, `${JSON.stringify(jwk, null, 2)}\n`);
  } catch (error) {
    throw new ContextKeyError(
      `cannot create the gateway context key ${file} (${errorCode(error) ?? String(error)})`,
    );
  }
}

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(CONTEXT_TOKEN_ALGORITHM, {
    crv: 'Ed25519',
    extractable: true,
  });
  return exportJWK(privateKey);
}

/** The key pair of a private Ed25519 JWK; its `kid` computed, never read from the file. */
async function keyPairOf(privateJwk: JWK, generated: boolean): Promise<GatewayContextKey> {
  const { kty, crv, x } = privateJwk;
  const kid = await calculateJwkThumbprint({ kty, crv, x }, 'sha256');
  return {
    kid,
    privateJwk: { ...privateJwk, kid, alg: CONTEXT_TOKEN_ALGORITHM },
    publicJwk: { kty, crv, x, kid, alg: CONTEXT_TOKEN_ALGORITHM, use: 'sig' },
    generated,
  };
}

/** A fresh key pair kept in memory only, for tests and tools. */
export async function generateGatewayContextKey(): Promise<GatewayContextKey> {
  return keyPairOf(await newPrivateJwk(), true);
}

function samePublicKey(content: string, publicJwk: JWK): boolean {
  try {
    const published = JSON.parse(content) as JWK;
    return published.x === publicJwk.x && published.kid === publicJwk.kid;
  } catch {
    return false;
  }
}

/**
 * Writes the public key where the data holders read it, unless it is there
 * already. Replaced whole (temporary file, then rename), so that a holder
 * starting meanwhile reads the old or the new file, never half of one.
 */
async function publishPublicKey(file: string, publicJwk: JWK): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current !== undefined && samePublicKey(current, publicJwk)) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryBeside(file);
  try {
    await writeFile(temporary, `${JSON.stringify(publicJwk, null, 2)}\n`, { mode: 0o644 });
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw new ContextKeyError(
      `cannot publish the gateway's public key at ${file} (${errorCode(error) ?? String(error)})`,
    );
  }
}

/**
 * The gateway's context key pair: read, or generated at the first start
 * (`generated` files only), and its public half published for the data
 * holders. Called by the launcher before it starts the holders (they need
 * the public key to start) and by the gateway, which may run alone.
 * Throws `ContextKeyError` saying what is wrong.
 */
export async function ensureGatewayContextKey(files: ContextKeyFiles): Promise<GatewayContextKey> {
  let privateJwk = await readPrivateKey(files.privateKeyFile);
  let generated = false;
  if (privateJwk === undefined) {
    if (files.source === 'operator') {
      throw new ContextKeyError(
        `PASSERELLE_CONTEXT_PRIVATE_KEY_FILE names ${files.privateKeyFile}, which does not exist. Provide the key there, or unset the variable to have one generated in the data folder.`,
      );
    }
    generated = await generatePrivateKey(files.privateKeyFile);
    privateJwk = await readPrivateKey(files.privateKeyFile);
    if (privateJwk === undefined) {
      throw new ContextKeyError(`the gateway context key ${files.privateKeyFile} vanished`);
    }
  }
  const keyPair = await keyPairOf(privateJwk, generated);
  await publishPublicKey(files.publicKeyFile, keyPair.publicJwk);
  return keyPair;
}
