import { AccessLogError } from './errors.js';

/**
 * How long access records are kept (DOMAIN.md T3: 6 months to 1 year,
 * configurable; O1: no longer than needed).
 */
export type Retention = Readonly<{
  /** As the operator wrote it, normalised: `12 months`, `200 days`. */
  text: string;
  unit: 'days' | 'months';
  amount: number;
  /** Records older than this instant may be purged. */
  cutoff(now: Date): Date;
}>;

export const DEFAULT_RETENTION = '1y';
/** DOMAIN.md T3's floor. In days: 6 months of 30.44 days, rounded up. */
export const MIN_RETENTION_MONTHS = 6;
const MIN_RETENTION_DAYS = 183;

const DURATION = /^(\d{1,5})\s*(d|days?|w|weeks?|m|months?|y|years?)$/i;

/** `date` minus `months` calendar months (UTC), the day clamped to the month's length. */
function monthsBefore(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(date.getTime());
  result.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
  return result;
}

/**
 * Parses a retention: a whole number and a unit, `d`/`days`, `w`/`weeks`,
 * `m`/`months`, `y`/`years` (e.g. `1y`, `9 months`, `400d`); undefined
 * gives the default, one year. Refused (`RETENTION_TOO_SHORT`) below six
 * months unless `force` is set: purging earlier breaks DOMAIN.md T3, and
 * forcing it is the operator's explicit, logged decision.
 */
export function retentionFor(
  duration: string | undefined,
  options: { force?: boolean } = {},
): Retention {
  const text = (duration ?? DEFAULT_RETENTION).trim();
  const match = DURATION.exec(text);
  if (match === null) {
    throw new AccessLogError(
      'ARGUMENT_INVALID',
      `the retention "${text}" must be a whole number and a unit, e.g. 1y, 9m (months), 400d`,
    );
  }
  const count = Number(match[1]);
  const letter = (match[2] ?? 'd').charAt(0).toLowerCase();
  const unit = letter === 'd' || letter === 'w' ? 'days' : 'months';
  const amount = letter === 'w' ? count * 7 : letter === 'y' ? count * 12 : count;
  if (amount === 0) {
    throw new AccessLogError('ARGUMENT_INVALID', 'the retention must be longer than zero');
  }
  const tooShort = unit === 'days' ? amount < MIN_RETENTION_DAYS : amount < MIN_RETENTION_MONTHS;
  if (tooShort && options.force !== true) {
    throw new AccessLogError(
      'RETENTION_TOO_SHORT',
      `the retention "${text}" is shorter than ${MIN_RETENTION_MONTHS} months, the minimum for access logs (DOMAIN.md T3); choose at least 6m, or force it deliberately`,
    );
  }
  return Object.freeze({
    text: `${amount} ${unit}`,
    unit,
    amount,
    cutoff: (now: Date) =>
      unit === 'days'
        ? new Date(now.getTime() - amount * 24 * 60 * 60 * 1000)
        : monthsBefore(now, amount),
  });
}
