import type { IncomingHttpHeaders } from 'node:http';
import {
  type CompiledPurpose,
  isPurposeActive,
  isReuserGrantActive,
  type PolicySet,
  type PurposeRefusal,
} from '../../policies/engine/index.js';
import type { DataHolderName } from './dataHolder.js';

/**
 * Headers the gateway sends on every subgraph fetch, naming what the request
 * is bound to. (They will be signed by the gateway; until then a holder
 * trusts the network it listens on, loopback.)
 */
export const PURPOSE_HEADERS = {
  purpose: 'passerelle-purpose',
  reuser: 'passerelle-reuser',
  policyVersion: 'passerelle-policy-version',
  requestId: 'passerelle-request-id',
} as const;

/** The system's stage: a purpose is active only in the stage it was written for. */
export type HolderMode = 'sandbox' | 'production';

/** What a request is bound to, as the holder's resolvers and shield rules read it. */
export type RequestPurpose = {
  /**
   * The purpose the request is bound to. Undefined when it declared none, or
   * one this holder does not know, may not serve to that re-user, or that is
   * not active today: every field but federation's own is then refused.
   */
  purpose: CompiledPurpose | undefined;
  /** When `purpose` is undefined: why, for the errors of the refused fields. */
  purposeRefusal: PurposeRefusal | undefined;
  reuserId: string | undefined;
  /** The gateway's request id, also the access-log key. */
  requestId: string | undefined;
  /** The policy version the gateway checked the request against. */
  policyVersion: string | undefined;
};

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Binds a request to its purpose with the holder's own policies (defence in
 * depth: the holder does not take the gateway's word for what a purpose
 * grants). The purpose must exist, reach this holder, be active on `today`
 * in `mode`, and be held by the re-user on `today`.
 */
export function bindPurpose(
  headers: IncomingHttpHeaders,
  context: { policies: PolicySet; holder: DataHolderName; today: string; mode: HolderMode },
): RequestPurpose {
  const purposeId = header(headers, PURPOSE_HEADERS.purpose);
  const reuserId = header(headers, PURPOSE_HEADERS.reuser);
  const bound = {
    reuserId,
    requestId: header(headers, PURPOSE_HEADERS.requestId),
    policyVersion: header(headers, PURPOSE_HEADERS.policyVersion),
  };
  const refuse = (code: PurposeRefusal['code'], message: string): RequestPurpose => ({
    ...bound,
    purpose: undefined,
    purposeRefusal: { code, purposeId, message },
  });

  const { policies, holder, today, mode } = context;
  if (purposeId === undefined) {
    return refuse(
      'PURPOSE_FIELD_DENIED',
      `No purpose was declared (header ${PURPOSE_HEADERS.purpose}).`,
    );
  }
  const purpose = policies.purposes.get(purposeId);
  if (purpose === undefined) {
    return refuse(
      'PURPOSE_UNKNOWN',
      `Purpose "${purposeId}" is not in the policies of data holder ${holder}.`,
    );
  }
  if (!purpose.holders.includes(holder)) {
    return refuse(
      'PURPOSE_NOT_GRANTED',
      `Purpose "${purposeId}" may not reach data holder ${holder}.`,
    );
  }
  if (!isPurposeActive(purpose, today, mode)) {
    return refuse(
      'PURPOSE_NOT_ACTIVE',
      `Purpose "${purposeId}" is not active on ${today} in ${mode} (stage ${purpose.stage}, valid ${purpose.validFrom} to ${purpose.validUntil}).`,
    );
  }
  if (reuserId === undefined) {
    return refuse(
      'PURPOSE_NOT_GRANTED',
      `No re-user was declared (header ${PURPOSE_HEADERS.reuser}) for purpose "${purposeId}".`,
    );
  }
  const holds = policies.reusers
    .get(reuserId)
    ?.purposes.some((grant) => grant.purpose === purposeId && isReuserGrantActive(grant, today));
  if (holds !== true) {
    return refuse(
      'PURPOSE_NOT_GRANTED',
      `Re-user "${reuserId}" does not hold purpose "${purposeId}" on ${today}.`,
    );
  }
  return { ...bound, purpose, purposeRefusal: undefined };
}
