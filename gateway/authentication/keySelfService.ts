import type { ClientInfo, RequestHeaders } from '../boundRequest/index.js';
import { PasserelleError } from '../errors/index.js';
import { type KeyRegistry, keyStateAt, type ReuserKey } from '../keyRegistry/index.js';
import type { Logger } from '../logging/index.js';
import { invalidAssertion } from './assertionVerifier.js';
import type { Authenticator } from './clientAssertionSource.js';

/**
 * The purpose an assertion declares to manage the re-user's own keys. It is
 * not a purpose of the policies: it reads no personal data, and a data
 * request declaring it is refused as an unknown purpose.
 */
export const KEY_MANAGEMENT_PURPOSE = 'key-management';

export type KeysRequest = Readonly<{
  method: string;
  /** `/keys` or `/keys/revoke`. */
  path: string;
  headers: RequestHeaders;
  /** The parsed JSON body of a POST. */
  body: unknown;
  client: ClientInfo;
}>;

export type KeysResponse = Readonly<{
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
}>;

export type KeySelfService = {
  serve(request: KeysRequest): Promise<KeysResponse>;
};

function publicView(key: ReuserKey, now: Date) {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    status: key.status,
    state: keyStateAt(key, now),
    validFrom: key.validFrom,
    validUntil: key.validUntil,
    createdAt: key.createdAt,
    ...(key.revokedAt === undefined ? {} : { revokedAt: key.revokedAt, revokedBy: key.revokedBy }),
    ...(key.replacedBy === undefined ? {} : { replacedBy: key.replacedBy }),
  };
}

function errorResponse(error: PasserelleError): KeysResponse {
  return { status: error.status, body: error.toResponseBody(), headers: error.responseHeaders() };
}

const MAX_REASON_LENGTH = 200;

function revocationRequestOf(body: unknown): { kid: string; reason?: string } {
  const problem =
    'the body must be a JSON object {"kid": "<key id>", "reason": "<optional words>"}.';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PasserelleError('BAD_REQUEST', { problem });
  }
  const { kid, reason } = body as { kid?: unknown; reason?: unknown };
  if (typeof kid !== 'string' || kid === '' || kid.length > 100) {
    throw new PasserelleError('BAD_REQUEST', {
      problem: `"kid" is missing or invalid: ${problem}`,
    });
  }
  if (
    reason !== undefined &&
    (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH || /\p{Cc}/u.test(reason))
  ) {
    throw new PasserelleError('BAD_REQUEST', {
      problem: `"reason" must be printable text of at most ${MAX_REASON_LENGTH} characters.`,
    });
  }
  return {
    kid,
    ...(typeof reason === 'string' && reason.trim() !== '' ? { reason: reason.trim() } : {}),
  };
}

/**
 * A re-user's own keys over HTTP (DOMAIN.md S3), authenticated like any
 * request, with an assertion declaring the purpose `key-management`:
 * - `GET /keys`: the re-user's keys and their state;
 * - `POST /keys/revoke` `{"kid", "reason"}`: revokes one of them at once,
 *   the signing key included (the way to react to a leaked key). Every
 *   gateway process sharing the registry refuses it within a second.
 */
export function createKeySelfService(options: {
  authenticator: Authenticator;
  registry: KeyRegistry;
  /** Whether the re-user is declared and may call from this address. */
  admits: (reuserId: string, address: string) => PasserelleError | undefined;
  logger: Logger;
  now?: () => Date;
}): KeySelfService {
  const { authenticator, registry, logger } = options;
  const now = options.now ?? (() => new Date());

  async function serve(request: KeysRequest): Promise<KeysResponse> {
    const route = `${request.method} ${request.path}`;
    if (route !== 'GET /keys' && route !== 'POST /keys/revoke') {
      const allowed = request.path === '/keys' ? 'GET' : 'POST';
      return {
        ...errorResponse(
          new PasserelleError('METHOD_NOT_ALLOWED', { method: request.method, allowed }),
        ),
        headers: { allow: allowed },
      };
    }
    const outcome = await authenticator.authenticate(request.headers, request.client);
    if (outcome === undefined) {
      throw new PasserelleError('AUTH_MISSING', {
        action: `Send Authorization: Bearer <assertion> declaring the purpose "${KEY_MANAGEMENT_PURPOSE}".`,
      });
    }
    if (!outcome.ok) throw outcome.error;
    const { assertion } = outcome;
    if (assertion.purposeId !== KEY_MANAGEMENT_PURPOSE) {
      throw invalidAssertion(
        'WRONG_PURPOSE',
        `requests to /keys declare the purpose "${KEY_MANAGEMENT_PURPOSE}", not "${assertion.purposeId}".`,
      );
    }
    const refusal = options.admits(assertion.reuserId, request.client.address);
    if (refusal !== undefined) throw refusal;

    if (route === 'GET /keys') {
      const keys = await registry.listKeys(assertion.reuserId);
      const at = now();
      return {
        status: 200,
        body: { reuser: assertion.reuserId, keys: keys.map((key) => publicView(key, at)) },
      };
    }

    const { kid, reason } = revocationRequestOf(request.body);
    const key = await registry.findKey(kid);
    // Someone else's key and no key at all get the same answer: nothing leaks.
    if (key === undefined || key.reuserId !== assertion.reuserId) {
      throw new PasserelleError('KEY_NOT_OWNED', {
        kid: kid.slice(0, 100),
        reuser: assertion.reuserId,
        action: 'Revoke only your own keys: GET /keys lists them.',
      });
    }
    const revoked = await registry.revokeKey(
      kid,
      'reuser',
      reason ?? `revoked by ${assertion.agent}`,
    );
    logger.warn(
      { reuser: assertion.reuserId, kid, agent: assertion.agent, signedWith: assertion.kid },
      're-user revoked one of its keys',
    );
    return { status: 200, body: { revoked: publicView(revoked, now()) } };
  }

  return {
    async serve(request) {
      try {
        return await serve(request);
      } catch (error) {
        if (error instanceof PasserelleError) return errorResponse(error);
        throw error;
      }
    },
  };
}
