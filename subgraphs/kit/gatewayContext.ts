import { readFile } from 'node:fs/promises';
import { type CryptoKey, errors, importJWK, type JWK, jwtVerify } from 'jose';
import { z } from 'zod';

/**
 * The gateway-signed context: how a data holder knows that a request comes
 * from the gateway, and what it is bound to (DOMAIN.md S1, S6).
 *
 * Every GraphQL request the gateway sends a data holder carries one header,
 * `Passerelle-Context: <JWT>`, signed with the gateway's own Ed25519 key
 * (its private half never leaves the gateway; the holder gets the public
 * half, a JWK file). The format, which the gateway's `contextToken` module
 * produces and this module checks (a test signs with one and verifies with
 * the other):
 *
 *   header   alg  "EdDSA"
 *            typ  "passerelle-context+jwt"  (a token of another kind is refused)
 *            kid  RFC 7638 thumbprint of the gateway's public key
 *   claims   iss  "passerelle-gateway"
 *            aud  the data holder's name ("tax"): a token for one holder is
 *                 refused by every other one
 *            iat, exp  issued-at and expiry; the gateway signs for 60 s
 *            jti  unique id of the token
 *            scope "purpose" | "service"
 *   scope "purpose" (a re-user's request) adds:
 *            purpose, reuser, agent, reason (optional), requestId, traceId,
 *            policyVersion
 *   scope "service" (the gateway's own schema reads and readiness probes)
 *            adds nothing: it may only run `{ _service { sdl } }` and
 *            `{ __typename }`.
 *
 * A request without the header, or whose token fails any check, gets HTTP
 * 401 with `CONTEXT_MISSING` or `CONTEXT_INVALID`; calling a data holder
 * directly is therefore useless. The holder does not keep seen `jti`s: a
 * token is reused for every fetch of one request to one holder, it lives a
 * minute, and gateway-to-holder traffic runs over loopback or mutual TLS.
 */

/** The request header carrying the token (lower case, as Node presents it). */
export const GATEWAY_CONTEXT_HEADER = 'passerelle-context';
export const GATEWAY_CONTEXT_TYPE = 'passerelle-context+jwt';
export const GATEWAY_CONTEXT_ISSUER = 'passerelle-gateway';
/** The only signature algorithm accepted: never `none`, never a shared secret. */
export const GATEWAY_CONTEXT_ALGORITHM = 'EdDSA';
/** Tolerated clock difference between the gateway's host and the holder's, on `exp` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 5;

const text = z.string().min(1);

const purposeContextSchema = z.object({
  scope: z.literal('purpose'),
  purpose: text,
  reuser: text,
  agent: text,
  reason: text.optional(),
  requestId: text,
  traceId: text,
  policyVersion: text,
});

const serviceContextSchema = z.object({ scope: z.literal('service') });

const contextClaimsSchema = z.discriminatedUnion('scope', [
  purposeContextSchema,
  serviceContextSchema,
]);

/** A re-user's request, bound by the gateway to a purpose. */
export type PurposeContext = z.output<typeof purposeContextSchema>;
/** The gateway's own calls: schema reads at startup, readiness probes. */
export type ServiceContext = z.output<typeof serviceContextSchema>;
export type GatewayContextClaims = PurposeContext | ServiceContext;

/**
 * The data holder's own refusals, made before any GraphQL runs, and their
 * HTTP status. Only a caller other than the gateway (or a misconfigured
 * gateway, which turns them into SUBGRAPH_UNAVAILABLE) ever sees them.
 */
export const CONTEXT_REFUSAL_STATUS = {
  /** No `Passerelle-Context` header. */
  CONTEXT_MISSING: 401,
  /** A token the checks refuse: signature, key, audience, type, issuer, dates, claims. */
  CONTEXT_INVALID: 401,
  /** A service context (no purpose) asking for more than the schema or a probe. */
  CONTEXT_SCOPE_DENIED: 403,
} as const;
export type ContextRefusalCode = keyof typeof CONTEXT_REFUSAL_STATUS;

/** Why a request was refused before anything ran. */
export type GatewayContextRefusal = Readonly<{
  code: Exclude<ContextRefusalCode, 'CONTEXT_SCOPE_DENIED'>;
  /** What was wrong, in words, e.g. `it is meant for data holder "tax"`. */
  reason: string;
}>;

export type GatewayContextVerification =
  | Readonly<{ ok: true; context: GatewayContextClaims }>
  | Readonly<{ ok: false; refusal: GatewayContextRefusal }>;

/** The gateway's public keys, imported once, by key id. */
export type GatewayPublicKeys = Readonly<{
  /** The file they were read from, for messages. */
  source: string;
  keys: ReadonlyMap<string, CryptoKey>;
}>;

/** The gateway's public key file is missing or unusable: the holder must not start. */
export class GatewayKeyError extends Error {
  override readonly name = 'GatewayKeyError';
}

/** A usable Ed25519 public JWK: `x` set, no private part, a `kid`. */
function isEd25519PublicJwk(value: unknown): value is JWK & { kid: string } {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return (
    jwk.kty === 'OKP' &&
    jwk.crv === 'Ed25519' &&
    typeof jwk.x === 'string' &&
    typeof jwk.kid === 'string' &&
    jwk.kid !== '' &&
    jwk.d === undefined
  );
}

/**
 * Imports the gateway's public key(s) from JWKs: one key (what the gateway
 * publishes), or a JWK Set `{ keys: [...] }` so that an operator can list the
 * old and the new key while the gateway's key is rotated. Throws
 * `GatewayKeyError` saying what is wrong.
 */
export async function importGatewayPublicKeys(
  document: unknown,
  source: string,
): Promise<GatewayPublicKeys> {
  const listed =
    typeof document === 'object' && document !== null && 'keys' in document
      ? (document as { keys: unknown }).keys
      : [document];
  if (!Array.isArray(listed) || listed.length === 0) {
    throw new GatewayKeyError(`${source} lists no key`);
  }
  const keys = new Map<string, CryptoKey>();
  for (const jwk of listed) {
    if (!isEd25519PublicJwk(jwk)) {
      throw new GatewayKeyError(
        `${source} must hold the gateway's public key: an Ed25519 JWK ("kty": "OKP", "crv": "Ed25519", "x", "kid") without its private part`,
      );
    }
    keys.set(jwk.kid, (await importJWK(jwk, GATEWAY_CONTEXT_ALGORITHM)) as CryptoKey);
  }
  return { source, keys };
}

/**
 * Reads the gateway's public key file (`PASSERELLE_GATEWAY_PUBLIC_KEY_FILE`).
 * Throws `GatewayKeyError` when it is missing or unusable: a holder that
 * cannot check the gateway's signature cannot tell its requests from anyone
 * else's, so it does not start.
 */
export async function loadGatewayPublicKeys(file: string): Promise<GatewayPublicKeys> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new GatewayKeyError(
      `cannot read the gateway's public key at ${file} (${code}). The gateway writes it at its first start (\`passerelle start\` does so before starting the data holders); or set PASSERELLE_GATEWAY_PUBLIC_KEY_FILE to where it is. Without it this data holder cannot tell the gateway's requests from anyone else's.`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    throw new GatewayKeyError(`${file} is not JSON: expected the gateway's public key as a JWK`);
  }
  return importGatewayPublicKeys(document, file);
}

function refused(code: GatewayContextRefusal['code'], reason: string): GatewayContextVerification {
  return { ok: false, refusal: { code, reason } };
}

/** The reason of a failed check, for the refusal's message. */
function reasonOf(error: unknown, audience: string): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return `it is not meant for data holder "${audience}"`;
      case 'iss':
        return `it was not issued by ${GATEWAY_CONTEXT_ISSUER}`;
      case 'typ':
        return `it is not a ${GATEWAY_CONTEXT_TYPE} token`;
      case 'iat':
        return 'it is dated in the future';
      default:
        return `its "${error.claim}" claim is missing or invalid`;
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "its signature does not verify with the gateway's key";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return `it is not signed with ${GATEWAY_CONTEXT_ALGORITHM}`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return 'it is signed with a key this data holder does not know';
  }
  return 'it is not a well-formed signed JWT';
}

/**
 * Checks `Passerelle-Context` headers for one data holder (`audience`, its
 * name). The keys are imported once; each check costs one Ed25519
 * signature verification (measured in bench/contextTokenCost.ts).
 */
export type GatewayContextVerifier = {
  verify(header: string | undefined): Promise<GatewayContextVerification>;
};

export function createGatewayContextVerifier(
  keys: GatewayPublicKeys,
  audience: string,
): GatewayContextVerifier {
  const keyFor = (header: { kid?: string | undefined }): CryptoKey => {
    const key = header.kid === undefined ? undefined : keys.keys.get(header.kid);
    if (key === undefined) throw new errors.JWKSNoMatchingKey();
    return key;
  };
  return {
    async verify(header) {
      if (header === undefined || header === '') {
        return refused('CONTEXT_MISSING', `the request has no ${GATEWAY_CONTEXT_HEADER} header`);
      }
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(header, keyFor, {
          algorithms: [GATEWAY_CONTEXT_ALGORITHM],
          typ: GATEWAY_CONTEXT_TYPE,
          issuer: GATEWAY_CONTEXT_ISSUER,
          audience,
          requiredClaims: ['iat', 'exp', 'jti'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        return refused('CONTEXT_INVALID', reasonOf(error, audience));
      }
      // jose checks `exp`, not whether `iat` lies in the future.
      const { iat } = payload as { iat: number };
      if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
        return refused('CONTEXT_INVALID', 'it is dated in the future');
      }
      const claims = contextClaimsSchema.safeParse(payload);
      if (!claims.success) {
        return refused(
          'CONTEXT_INVALID',
          `its claims are incomplete (${claims.error.issues.map((issue) => issue.path.join('.') || issue.message).join(', ')})`,
        );
      }
      return { ok: true, context: claims.data };
    },
  };
}
