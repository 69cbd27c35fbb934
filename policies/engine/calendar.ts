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
