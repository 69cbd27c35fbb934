/**
 * The calendar purposes are counted in: validity dates, "current month",
 * "income year N-1". French administrations count days in Europe/Paris. The
 * clock is injectable so that the sandbox and the tests give the same
 * answers whatever day they run; the gateway and every data holder use this
 * one definition, so they agree on what "today" is.
 */
export type Clock = {
  /** Today's date in Europe/Paris, written `YYYY-MM-DD`. */
  today(): string;
};

// en-CA formats dates as YYYY-MM-DD.
const parisDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date in Europe/Paris at `instant`, written `YYYY-MM-DD`. */
export function todayInParis(instant: Date = new Date()): string {
  return parisDate.format(instant);
}

export const systemClock: Clock = { today: () => todayInParis() };

/** A clock stopped on `date` (`YYYY-MM-DD`): the sandbox's "as of" date. */
export function fixedClock(date: string): Clock {
  return { today: () => date };
}

const parisOffset = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Paris',
  timeZoneName: 'longOffset',
});

/** Paris's offset from UTC at `instant`, in milliseconds (1 or 2 hours). */
function parisOffsetMs(instant: Date): number {
  const name = parisOffset.formatToParts(instant).find((part) => part.type === 'timeZoneName');
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name?.value ?? '');
  if (match === null) throw new Error(`unexpected offset for Europe/Paris: ${name?.value}`);
  const [, sign, hours = '0', minutes = '0'] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000;
}

/**
 * The instant a calendar day (`YYYY-MM-DD`) ends in Europe/Paris: midnight
 * at the start of the next day. A credential "valid until" a date works
 * through that whole day. (Paris changes offset at 01:00 UTC, never around
 * its midnight, so the offset at the next UTC midnight is the right one.)
 */
export function endOfParisDay(date: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const nextUtcMidnight = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (day ?? 0) + 1));
  return new Date(nextUtcMidnight.getTime() - parisOffsetMs(nextUtcMidnight));
}
