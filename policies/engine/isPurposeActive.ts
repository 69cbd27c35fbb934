import type { Purpose, ReuserPurposeGrant } from './model.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether a purpose may be used today by a gateway running in `stage`
 * (DECISIONS.md §2): `today` within `validFrom..validUntil`, both included,
 * and the purpose's stage equal to the gateway's mode. Otherwise requests
 * are refused with PURPOSE_NOT_ACTIVE.
 *
 * `today` is the calendar date in Europe/Paris, `YYYY-MM-DD`, from the
 * caller's injectable clock (DECISIONS.md §4); ISO dates compare as strings.
 */
export function isPurposeActive(
  purpose: Pick<Purpose, 'validFrom' | 'validUntil' | 'stage'>,
  today: string,
  stage: 'sandbox' | 'production',
): boolean {
  assertIsoDate(today);
  return purpose.stage === stage && purpose.validFrom <= today && today <= purpose.validUntil;
}

/** Whether a re-user's authorisation for a purpose covers `today` (both ends included). */
export function isReuserGrantActive(
  grant: Pick<ReuserPurposeGrant, 'validFrom' | 'validUntil'>,
  today: string,
): boolean {
  assertIsoDate(today);
  return grant.validFrom <= today && today <= grant.validUntil;
}

function assertIsoDate(today: string): void {
  // A malformed date would compare as a string and silently widen or narrow access.
  if (!ISO_DATE.test(today)) {
    throw new RangeError(`today must be a date written YYYY-MM-DD, got "${today}"`);
  }
}
