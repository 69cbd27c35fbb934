import { PasserelleError } from '../errors/index.js';
import type { CredentialOutcome, CredentialSource, RequestHeaders } from './boundRequest.js';

/**
 * The sandbox's credential source: plain headers, no proof of identity. It
 * serves fictitious data only, so it trusts what the client says it is; the
 * production gateway never reads these headers.
 */
export const SANDBOX_HEADERS = {
  reuser: 'Passerelle-Reuser',
  purpose: 'Passerelle-Purpose',
  agent: 'Passerelle-Agent',
  reason: 'Passerelle-Reason',
} as const;

/** Policy ids are lower-case kebab-case (they are file names too). */
const POLICY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 100;
/** Printable text, no control characters: it ends up in the access log. */
const PRINTABLE = /^[^\p{Cc}]+$/u;
const MAX_TEXT_LENGTH = 200;

function header(headers: RequestHeaders, name: string): string | undefined {
  const value = headers.get(name.toLowerCase())?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function badHeader(name: string, expected: string): PasserelleError<'BAD_REQUEST'> {
  return new PasserelleError('BAD_REQUEST', { problem: `the ${name} header must be ${expected}.` });
}

function readSandboxHeaders(headers: RequestHeaders): CredentialOutcome {
  const reuserId = header(headers, SANDBOX_HEADERS.reuser);
  const purposeId = header(headers, SANDBOX_HEADERS.purpose);
  const agent = header(headers, SANDBOX_HEADERS.agent);
  const reason = header(headers, SANDBOX_HEADERS.reason);

  const missing = [
    ...(reuserId === undefined ? [SANDBOX_HEADERS.reuser] : []),
    ...(purposeId === undefined ? [SANDBOX_HEADERS.purpose] : []),
    ...(agent === undefined ? [SANDBOX_HEADERS.agent] : []),
  ];
  // Neither who nor what for: a client looking at the schema, which needs no purpose.
  if (reuserId === undefined && purposeId === undefined) return { kind: 'absent', missing };
  if (reuserId === undefined || purposeId === undefined || agent === undefined) {
    return {
      kind: 'refused',
      error: new PasserelleError('BAD_REQUEST', {
        problem: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. A request for data names the re-user, the purpose and the agent asking (${SANDBOX_HEADERS.reuser}, ${SANDBOX_HEADERS.purpose}, ${SANDBOX_HEADERS.agent}).`,
      }),
    };
  }
  for (const [name, value] of [
    [SANDBOX_HEADERS.reuser, reuserId],
    [SANDBOX_HEADERS.purpose, purposeId],
  ] as const) {
    if (value.length > MAX_ID_LENGTH || !POLICY_ID.test(value)) {
      return {
        kind: 'refused',
        error: badHeader(name, 'an id from the policies: lower-case letters, digits and hyphens'),
      };
    }
  }
  for (const [name, value] of [
    [SANDBOX_HEADERS.agent, agent],
    [SANDBOX_HEADERS.reason, reason],
  ] as const) {
    if (value !== undefined && (value.length > MAX_TEXT_LENGTH || !PRINTABLE.test(value))) {
      return {
        kind: 'refused',
        error: badHeader(name, `printable text of at most ${MAX_TEXT_LENGTH} characters`),
      };
    }
  }
  return {
    kind: 'claims',
    claims: { reuserId, purposeId, agent, ...(reason === undefined ? {} : { reason }) },
  };
}

/**
 * Reads the bound request's claims from `Passerelle-Reuser`,
 * `Passerelle-Purpose`, `Passerelle-Agent` and `Passerelle-Reason`.
 * A request with neither re-user nor purpose is `absent` (schema only); one
 * that names either must name re-user, purpose and agent.
 *
 * A missing header is a malformed request, 400 `BAD_REQUEST` naming the
 * headers to send, rather than 403 `PURPOSE_UNKNOWN`: nothing was claimed,
 * so there is nothing unknown to refuse, and the client's fix is to add a
 * header. Either way nothing is served: deny by default holds.
 */
export const fromSandboxHeaders: CredentialSource = {
  read: readSandboxHeaders,
  whereIs: (claim) => `the ${SANDBOX_HEADERS[claim]} header`,
};
