import { KeyRegistryError } from './errors.js';
import {
  EXPIRY_WARNING_DAYS,
  type ExpiryWarningDays,
  type KeyState,
  type KeyValidity,
  type ReuserKey,
} from './model.js';

/** Credentials are time-limited (DOMAIN.md S2): never more than this. */
export const MAX_KEY_VALIDITY_MONTHS = 18;
/** When the caller gives no end date. */
export const DEFAULT_KEY_VALIDITY_MONTHS = 12;

export const DAY_MS = 24 * 60 * 60 * 1000;

/** `date` plus `months` calendar months (UTC), the day clamped to the month's length. */
export function addMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(date.getTime());
  result.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
  return result;
}

function isValidDate(date: Date | undefined): date is Date {
  return date instanceof Date && !Number.isNaN(date.getTime());
}

/** The validity window of a new key, checked. Throws `VALIDITY_INVALID`. */
export function checkValidity(
  validity: KeyValidity | undefined,
  now: Date,
): { from: Date; until: Date } {
  if (validity?.validFrom !== undefined && !isValidDate(validity.validFrom)) {
    throw new KeyRegistryError('VALIDITY_INVALID', 'validFrom is not a valid date');
  }
  if (validity?.validUntil !== undefined && !isValidDate(validity.validUntil)) {
    throw new KeyRegistryError('VALIDITY_INVALID', 'validUntil is not a valid date');
  }
  const from = validity?.validFrom ?? now;
  const until = validity?.validUntil ?? addMonths(from, DEFAULT_KEY_VALIDITY_MONTHS);
  if (until.getTime() <= from.getTime()) {
    throw new KeyRegistryError('VALIDITY_INVALID', 'validUntil must come after validFrom');
  }
  if (until.getTime() <= now.getTime()) {
    throw new KeyRegistryError(
      'VALIDITY_INVALID',
      `validUntil (${until.toISOString()}) is already over: choose a date in the future`,
    );
  }
  const latest = addMonths(from, MAX_KEY_VALIDITY_MONTHS);
  if (until.getTime() > latest.getTime()) {
    throw new KeyRegistryError(
      'VALIDITY_INVALID',
      `a key is valid at most ${MAX_KEY_VALIDITY_MONTHS} months: choose a validUntil on or before ${latest.toISOString().slice(0, 10)}`,
    );
  }
  return { from, until };
}

/** What a key allows at `now`. */
export function keyStateAt(key: ReuserKey, now: Date): KeyState {
  if (key.status === 'revoked') return 'revoked';
  if (now.getTime() < Date.parse(key.validFrom)) return 'not-yet-valid';
  if (now.getTime() >= Date.parse(key.validUntil)) return 'expired';
  return 'usable';
}

/**
 * The warning due at `now` for a key ending at `validUntil`: the nearest
 * threshold already reached, or undefined when more than 90 days remain.
 */
export function dueExpiryWarning(validUntil: number, now: number): ExpiryWarningDays | undefined {
  const remaining = validUntil - now;
  let due: ExpiryWarningDays | undefined;
  for (const days of EXPIRY_WARNING_DAYS) {
    if (remaining <= days * DAY_MS) due = days;
  }
  return due;
}
