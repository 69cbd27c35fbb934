import { BlockList, isIPv6 } from 'node:net';
import {
  type CompiledPurpose,
  isPurposeActive,
  isReuserGrantActive,
  type PolicySet,
  type Reuser,
} from '../../policies/engine/index.js';
import type { BoundRequest, CredentialSource, TraceabilityClaim } from '../boundRequest/index.js';
import { PasserelleError } from '../errors/index.js';

/** A bound request whose re-user and purpose the policies know and allow today. */
export type PurposeBinding = Readonly<{
  request: BoundRequest;
  purpose: CompiledPurpose;
  reuser: Reuser;
}>;

export type PurposeBindingOutcome =
  | { ok: true; binding: PurposeBinding }
  | { ok: false; error: PasserelleError };

function refuse(error: PasserelleError): PurposeBindingOutcome {
  return { ok: false, error };
}

/** Each re-user's allow-list, built once per policy snapshot (a reload makes new `Reuser` values). */
const allowLists = new WeakMap<Reuser, BlockList>();

function allowListOf(reuser: Reuser, allowedIps: readonly string[]): BlockList {
  let list = allowLists.get(reuser);
  if (list === undefined) {
    list = new BlockList();
    for (const entry of allowedIps) {
      const [address = '', prefix] = entry.split('/');
      const family = isIPv6(address) ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    allowLists.set(reuser, list);
  }
  return list;
}

/** Whether `address` may call for `reuser`: always, unless its policy lists addresses. */
export function isAddressAllowed(reuser: Reuser, address: string): boolean {
  if (reuser.allowedIps === undefined) return true;
  // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match IPv4 entries too.
  return allowListOf(reuser, reuser.allowedIps).check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** Why an inactive purpose is not active, in words. */
function inactiveBecause(purpose: CompiledPurpose, today: string, mode: string): string {
  if (purpose.stage !== mode) {
    return `it is a ${purpose.stage} purpose and this gateway is the ${mode === 'sandbox' ? 'sandbox' : 'production gateway'}`;
  }
  return `it is valid from ${purpose.validFrom} to ${purpose.validUntil}, and today is ${today} (Europe/Paris)`;
}

function claimValue(request: BoundRequest, claim: TraceabilityClaim): string | undefined {
  return claim === 'agent' ? request.agent : request.reason;
}

const CLAIM_WORDS: Readonly<Record<TraceabilityClaim, string>> = {
  agent: 'the agent asking',
  reason: 'a reason (the file or case reference the request is made for)',
};

/**
 * Checks a bound request against one policy snapshot, in this order, the
 * first failure winning:
 * 1. the re-user and the purpose are declared (`PURPOSE_UNKNOWN`), and the
 *    client's address is on the re-user's allow-list, if it has one (`IP_NOT_ALLOWED`);
 * 2. the re-user holds the purpose (`PURPOSE_NOT_GRANTED`);
 * 3. the purpose is in force today and its stage is this gateway's mode (`PURPOSE_NOT_ACTIVE`);
 * 4. the re-user's grant of it is valid today (`PURPOSE_NOT_GRANTED`);
 * 5. the request carries every claim the purpose requires (`BAD_REQUEST` naming where to put it).
 * Every refusal carries the policy version it was decided with.
 */
export function bindPurpose(options: {
  request: BoundRequest;
  policySet: PolicySet;
  /** Today in Europe/Paris, `YYYY-MM-DD`. */
  today: string;
  source: CredentialSource;
}): PurposeBindingOutcome {
  const { request, policySet, today, source } = options;
  const decided = { policyVersion: policySet.version };

  const reuser = policySet.reusers.get(request.reuserId);
  if (reuser === undefined) {
    return refuse(
      new PasserelleError(
        'PURPOSE_UNKNOWN',
        { what: 're-user', id: request.reuserId, where: source.whereIs('reuser') },
        { publicExtensions: { ...decided, reuser: request.reuserId } },
      ),
    );
  }
  if (!isAddressAllowed(reuser, request.clientAddress)) {
    return refuse(
      new PasserelleError(
        'IP_NOT_ALLOWED',
        { reuser: reuser.id, address: request.clientAddress },
        { publicExtensions: { ...decided, reuser: reuser.id } },
      ),
    );
  }
  const purpose = policySet.purposes.get(request.purposeId);
  if (purpose === undefined) {
    return refuse(
      new PasserelleError(
        'PURPOSE_UNKNOWN',
        { what: 'purpose', id: request.purposeId, where: source.whereIs('purpose') },
        { publicExtensions: { ...decided, purpose: request.purposeId } },
      ),
    );
  }

  const notGranted = (problem: string) =>
    refuse(
      new PasserelleError(
        'PURPOSE_NOT_GRANTED',
        { reuser: reuser.id, purpose: purpose.id, problem },
        { publicExtensions: { ...decided, reuser: reuser.id, purpose: purpose.id } },
      ),
    );
  const grants = reuser.purposes.filter((grant) => grant.purpose === purpose.id);
  if (grants.length === 0)
    return notGranted('it is not among the purposes this re-user is granted');

  if (!isPurposeActive(purpose, today, request.mode)) {
    return refuse(
      new PasserelleError(
        'PURPOSE_NOT_ACTIVE',
        { purpose: purpose.id, problem: inactiveBecause(purpose, today, request.mode) },
        { publicExtensions: { ...decided, purpose: purpose.id } },
      ),
    );
  }

  // Grants lie within their purpose's dates, so this comes after the purpose's own check.
  if (!grants.some((grant) => isReuserGrantActive(grant, today))) {
    const periods = grants.map((grant) => `${grant.validFrom} to ${grant.validUntil}`).join(', ');
    return notGranted(`its grant runs ${periods}, and today is ${today} (Europe/Paris)`);
  }

  for (const claim of purpose.traceability.requiredClaims) {
    // The file format lists only known claims; an unknown one cannot be satisfied.
    const known = claim === 'agent' || claim === 'reason' ? claim : undefined;
    if (known !== undefined && claimValue(request, known) !== undefined) continue;
    const where = known === undefined ? `the "${claim}" claim` : source.whereIs(known);
    return refuse(
      new PasserelleError(
        'BAD_REQUEST',
        {
          problem: `the purpose "${purpose.id}" requires ${known === undefined ? `the "${claim}" claim` : CLAIM_WORDS[known]} on every request: send ${where}.`,
        },
        { publicExtensions: { ...decided, purpose: purpose.id, claim } },
      ),
    );
  }

  return { ok: true, binding: { request, purpose, reuser } };
}
