import { createHash } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import {
  ASSERTION_ALGORITHMS,
  type AssertionAlgorithm,
  MAX_ASSERTION_LIFETIME_SECONDS,
} from '../clientAssertion/index.js';
import { PasserelleError } from '../errors/index.js';
import { type KeyRegistry, keyStateAt, type ReuserKey } from '../keyRegistry/index.js';

/** What a valid client assertion says, once its signature and claims are checked. */
export type VerifiedAssertion = Readonly<{
  reuserId: string;
  purposeId: string;
  agent: string;
  reason?: string;
  kid: string;
  jti: string;
  /** The assertion's `exp`, in ms since the epoch. */
  expiresAt: number;
}>;

export type AssertionVerifier = {
  /**
   * Checks a client assertion and returns its claims, or throws the
   * `PasserelleError` saying what is wrong with it (`AUTH_*`, `KEY_NOT_OWNED`).
   * A token verified once is remembered until its `exp`, so a client
   * sending the same token again costs a hash and a map lookup.
   */
  verify(token: string): Promise<VerifiedAssertion>;
  /** Stops listening to the registry. */
  close(): void;
};

export type AssertionVerifierOptions = {
  registry: KeyRegistry;
  /** The audiences (`aud`) accepted: the URL re-users call the gateway at. */
  audiences: () => readonly string[];
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  /** Verified tokens remembered at most (oldest forgotten first). */
  cacheSize?: number;
};

/** Clocks drift: `iat` and `exp` are judged with this much tolerance. */
const CLOCK_TOLERANCE_SECONDS = 30;
const DEFAULT_CACHE_SIZE = 10_000;
/** Policy ids are lower-case kebab-case (they are file names too). */
const POLICY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 100;
/** Printable text, no control characters: it ends up in the access log. */
const PRINTABLE = /^[^\p{Cc}]+$/u;
const MAX_TEXT_LENGTH = 200;
const MAX_JTI_LENGTH = 200;

const SIGN_AGAIN = 'Sign a new assertion as described in the README (Keys and credentials).';

/** A refusal of the token itself (401 `AUTH_INVALID`), with a stable `reason`. */
export function invalidAssertion(reason: string, problem: string): PasserelleError<'AUTH_INVALID'> {
  return new PasserelleError(
    'AUTH_INVALID',
    { problem, action: SIGN_AGAIN },
    { publicExtensions: { reason } },
  );
}

function isAssertionAlgorithm(value: unknown): value is AssertionAlgorithm {
  return (ASSERTION_ALGORITHMS as readonly unknown[]).includes(value);
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A text claim when present, checked against `pattern` and `maxLength`. */
function optionalClaim(
  payload: JWTPayload,
  name: string,
  pattern: RegExp,
  maxLength: number,
  expected: string,
): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed === '') {
    throw invalidAssertion(
      'CLAIM_MISSING',
      `the "${name}" claim is missing: it must be ${expected}.`,
    );
  }
  if (trimmed.length > maxLength || !pattern.test(trimmed)) {
    throw invalidAssertion('CLAIM_INVALID', `the "${name}" claim must be ${expected}.`);
  }
  return trimmed;
}

function requiredClaim(
  payload: JWTPayload,
  name: string,
  pattern: RegExp,
  maxLength: number,
  expected: string,
): string {
  const value = optionalClaim(payload, name, pattern, maxLength, expected);
  if (value === undefined) {
    throw invalidAssertion(
      'CLAIM_MISSING',
      `the "${name}" claim is missing: it must be ${expected}.`,
    );
  }
  return value;
}

/** The header's key id and algorithm, refusing anything but ES256 and EdDSA. */
function readHeader(token: string): { kid: string; alg: AssertionAlgorithm } {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalidAssertion(
      'MALFORMED',
      'it is not a signed JWT (three base64url parts: header, claims, signature).',
    );
  }
  if (token.split('.').length !== 3) {
    throw invalidAssertion(
      'MALFORMED',
      'it is not a signed JWT (an encrypted JWT is not accepted).',
    );
  }
  if (!isAssertionAlgorithm(header.alg)) {
    throw invalidAssertion(
      'ALGORITHM_NOT_ALLOWED',
      `its algorithm "${String(header.alg)}" is not accepted: only ${ASSERTION_ALGORITHMS.join(' and ')} signatures with a registered key are (never "none", never a shared secret).`,
    );
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw invalidAssertion(
      'KID_MISSING',
      'its header has no "kid": name the key it is signed with (the RFC 7638 thumbprint of its public JWK).',
    );
  }
  return { kid: header.kid, alg: header.alg };
}

function keyRefusal(key: ReuserKey, now: number): PasserelleError | undefined {
  switch (keyStateAt(key, new Date(now))) {
    case 'usable':
      return undefined;
    case 'revoked':
      return new PasserelleError(
        'AUTH_KEY_REVOKED',
        {
          kid: key.kid,
          problem: `it was revoked${key.revokedBy === undefined ? '' : ` by the ${key.revokedBy === 'admin' ? 'administrator' : 're-user'}`} at ${key.revokedAt ?? 'an earlier date'}`,
        },
        { publicExtensions: { reason: 'KEY_REVOKED' } },
      );
    case 'expired':
      return new PasserelleError(
        'AUTH_KEY_REVOKED',
        { kid: key.kid, problem: `it expired at ${key.validUntil}` },
        { publicExtensions: { reason: 'KEY_EXPIRED' } },
      );
    case 'not-yet-valid':
      return new PasserelleError(
        'AUTH_KEY_REVOKED',
        { kid: key.kid, problem: `it is valid only from ${key.validFrom}` },
        { publicExtensions: { reason: 'KEY_NOT_YET_VALID' } },
      );
  }
}

/** Maps what `jwtVerify` throws to our codes; anything else is not ours to explain. */
function verificationRefusal(error: unknown, audiences: readonly string[]): PasserelleError {
  if (error instanceof errors.JWTExpired) {
    const payload = error.payload;
    return new PasserelleError('AUTH_EXPIRED', {
      expiredAt:
        typeof payload.exp === 'number'
          ? new Date(payload.exp * 1000).toISOString()
          : 'an earlier time',
      maxLifetimeSeconds: MAX_ASSERTION_LIFETIME_SECONDS,
    });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return invalidAssertion(
        'WRONG_AUDIENCE',
        `its audience ("aud") is not this gateway: it must be ${audiences.map((audience) => `"${audience}"`).join(' or ')}.`,
      );
    }
    if (error.reason === 'missing') {
      return invalidAssertion('CLAIM_MISSING', `the "${error.claim}" claim is missing.`);
    }
    if (error.claim === 'nbf') {
      return invalidAssertion('NOT_YET_VALID', 'its "nbf" is in the future.');
    }
    return invalidAssertion(
      'CLAIM_INVALID',
      `its "${error.claim}" claim is invalid (${error.message}).`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalidAssertion(
      'BAD_SIGNATURE',
      'its signature does not match the registered public key named by its "kid".',
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalidAssertion(
      'WRONG_KEY_TYPE',
      'its algorithm is not the one of the key named by its "kid".',
    );
  }
  if (error instanceof errors.JOSEError) {
    return invalidAssertion('MALFORMED', `it cannot be read (${error.code}).`);
  }
  throw error;
}

/**
 * Verifies re-users' client assertions (DECISIONS.md section 1, DOMAIN.md
 * S1): an ES256 or EdDSA JWT signed with a key of the registry, naming this
 * gateway as audience, its re-user as `iss` and `sub`, living at most five
 * minutes, with a `jti` never used with another token. Each failure has its
 * own code: the client learns what to fix, and nothing more.
 */
export function createAssertionVerifier(options: AssertionVerifierOptions): AssertionVerifier {
  const { registry } = options;
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  /** Token hash -> verified claims; insertion order is the eviction order. */
  const verified = new Map<string, VerifiedAssertion>();
  /** Imported public keys, by kid. */
  const importedKeys = new Map<string, ReturnType<typeof importJWK>>();
  // A key added, revoked or rotated anywhere: forget everything derived from keys.
  const unsubscribe = registry.onChange(() => {
    verified.clear();
    importedKeys.clear();
  });

  function remember(tokenHash: string, assertion: VerifiedAssertion): void {
    if (verified.size >= cacheSize) {
      const oldest = verified.keys().next();
      if (oldest.done !== true) verified.delete(oldest.value);
    }
    verified.set(tokenHash, assertion);
  }

  function importedKey(key: ReuserKey): ReturnType<typeof importJWK> {
    let imported = importedKeys.get(key.kid);
    if (imported === undefined) {
      imported = importJWK(key.publicJwk, key.algorithm);
      importedKeys.set(key.kid, imported);
    }
    return imported;
  }

  async function verifyUncached(token: string, tokenHash: string): Promise<VerifiedAssertion> {
    const header = readHeader(token);
    const key = await registry.findKey(header.kid);
    if (key === undefined) {
      throw new PasserelleError('AUTH_UNKNOWN_KEY', { kid: header.kid.slice(0, 100) });
    }
    const refusal = keyRefusal(key, now());
    if (refusal !== undefined) throw refusal;
    if (header.alg !== key.algorithm) {
      throw invalidAssertion(
        'WRONG_KEY_TYPE',
        `its algorithm is ${header.alg}, but the key "${key.kid}" is registered for ${key.algorithm}.`,
      );
    }

    const audiences = options.audiences();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await importedKey(key), {
        algorithms: [key.algorithm],
        audience: [...audiences],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now()),
        requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
      }));
    } catch (error) {
      throw verificationRefusal(error, audiences);
    }

    // The signature is the key's: now the claims may be believed and judged.
    if (payload.iss !== key.reuserId || payload.sub !== key.reuserId) {
      throw new PasserelleError(
        'KEY_NOT_OWNED',
        {
          kid: key.kid,
          reuser: String(payload.iss).slice(0, 100),
          action: 'Set "iss" and "sub" to your re-user id, and sign with one of your own keys.',
        },
        { publicExtensions: { reason: 'ISSUER_MISMATCH' } },
      );
    }
    const issuedAt = payload.iat as number;
    const expiresAt = payload.exp as number;
    if (issuedAt * 1000 > now() + CLOCK_TOLERANCE_SECONDS * 1000) {
      throw invalidAssertion(
        'ISSUED_IN_FUTURE',
        `it is issued at ${new Date(issuedAt * 1000).toISOString()}, in the future: check the clock of the machine that signs.`,
      );
    }
    if (expiresAt - issuedAt > MAX_ASSERTION_LIFETIME_SECONDS) {
      throw invalidAssertion(
        'LIFETIME_TOO_LONG',
        `it lives ${expiresAt - issuedAt} seconds ("exp" - "iat"); at most ${MAX_ASSERTION_LIFETIME_SECONDS} are accepted.`,
      );
    }
    const jti = requiredClaim(payload, 'jti', PRINTABLE, MAX_JTI_LENGTH, 'a unique id');
    const purposeId = requiredClaim(
      payload,
      'purpose',
      POLICY_ID,
      MAX_ID_LENGTH,
      'the id of a purpose from the policies (lower-case letters, digits and hyphens)',
    );
    const agent = requiredClaim(
      payload,
      'agent',
      PRINTABLE,
      MAX_TEXT_LENGTH,
      `the person or service asking, printable text of at most ${MAX_TEXT_LENGTH} characters`,
    );
    const reason = optionalClaim(
      payload,
      'reason',
      PRINTABLE,
      MAX_TEXT_LENGTH,
      `a file or case reference, printable text of at most ${MAX_TEXT_LENGTH} characters`,
    );

    // Replay protection across replicas (the registry is shared): the same
    // id with another token is refused; the same token again is fine.
    const record = await registry.recordAssertion(
      jti,
      key.reuserId,
      tokenHash,
      new Date(expiresAt * 1000),
    );
    if (record === 'replayed') {
      throw new PasserelleError('AUTH_REPLAYED', { jti: jti.slice(0, 100) });
    }
    return {
      reuserId: key.reuserId,
      purposeId,
      agent,
      ...(reason === undefined ? {} : { reason }),
      kid: key.kid,
      jti,
      expiresAt: expiresAt * 1000,
    };
  }

  return {
    async verify(token) {
      const tokenHash = hashOf(token);
      const cached = verified.get(tokenHash);
      if (cached !== undefined) {
        if (cached.expiresAt + CLOCK_TOLERANCE_SECONDS * 1000 > now()) return cached;
        verified.delete(tokenHash);
        throw new PasserelleError('AUTH_EXPIRED', {
          expiredAt: new Date(cached.expiresAt).toISOString(),
          maxLifetimeSeconds: MAX_ASSERTION_LIFETIME_SECONDS,
        });
      }
      const assertion = await verifyUncached(token, tokenHash);
      remember(tokenHash, assertion);
      return assertion;
    },
    close: unsubscribe,
  };
}

/**
 * The re-user a token claims to come from, unverified: the lockout is kept
 * per (claimed re-user, address), so a stranger cannot lock a re-user out
 * from the re-user's own address.
 */
export function claimedIssuerOf(token: string): string {
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === 'string' && iss.length <= MAX_ID_LENGTH && POLICY_ID.test(iss)
      ? iss
      : '?';
  } catch {
    return '?';
  }
}
