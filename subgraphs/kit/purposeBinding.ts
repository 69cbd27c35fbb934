import {
  type CompiledPurpose,
  isPurposeActive,
  isReuserGrantActive,
  type PolicySet,
  type PurposeRefusal,
} from '../../policies/engine/index.js';
import type { DataHolderName } from './dataHolder.js';
import type { GatewayContextClaims } from './gatewayContext.js';

/** The system's stage: a purpose is active only in the stage it was written for. */
export type HolderMode = 'sandbox' | 'production';

/**
 * What a request is bound to, as the holder's resolvers and shield rules
 * read it. Everything but `purpose` comes from the gateway's verified
 * context; all of it is undefined for the gateway's own service calls.
 */
export type RequestPurpose = {
  /**
   * The purpose the request is bound to. Undefined when it is bound to none
   * (a service call), or to one this holder does not know, may not serve to
   * that re-user, or that is not active today: every field but federation's
   * own is then refused.
   */
  purpose: CompiledPurpose | undefined;
  /** When `purpose` is undefined: why, for the errors of the refused fields. */
  purposeRefusal: PurposeRefusal | undefined;
  reuserId: string | undefined;
  /** The person or service inside the re-user who asks (for the holder's own log). */
  agent: string | undefined;
  /** The file or case reference the request is made for, when given. */
  reason: string | undefined;
  /** The gateway's request id, also the access-log key. */
  requestId: string | undefined;
  traceId: string | undefined;
  /** The policy version the gateway checked the request against. */
  policyVersion: string | undefined;
};

/**
 * Binds a request to its purpose with the holder's own policies (defence in
 * depth: the holder does not take the gateway's word for what a purpose
 * grants). The purpose must exist, reach this holder, be active on `today`
 * in `mode`, and be held by the re-user on `today`. `gatewayContext` is
 * the verified context the gateway signed for this request.
 */
export function bindPurpose(
  gatewayContext: GatewayContextClaims,
  context: { policies: PolicySet; holder: DataHolderName; today: string; mode: HolderMode },
): RequestPurpose {
  if (gatewayContext.scope === 'service') {
    return {
      purpose: undefined,
      purposeRefusal: {
        code: 'PURPOSE_FIELD_DENIED',
        purposeId: undefined,
        message: "The gateway's service context is bound to no purpose.",
      },
      reuserId: undefined,
      agent: undefined,
      reason: undefined,
      requestId: undefined,
      traceId: undefined,
      policyVersion: undefined,
    };
  }
  const { purpose: purposeId, reuser: reuserId } = gatewayContext;
  const bound = {
    reuserId,
    agent: gatewayContext.agent,
    reason: gatewayContext.reason,
    requestId: gatewayContext.requestId,
    traceId: gatewayContext.traceId,
    policyVersion: gatewayContext.policyVersion,
  };
  const refuse = (code: PurposeRefusal['code'], message: string): RequestPurpose => ({
    ...bound,
    purpose: undefined,
    purposeRefusal: { code, purposeId, message },
  });

  const { policies, holder, today, mode } = context;
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
