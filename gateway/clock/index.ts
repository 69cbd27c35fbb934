/**
 * The gateway's calendar: what "today" is when a purpose's validity dates,
 * a re-user's grant or an argument window ("current month", "income year
 * N-1") are checked. French administrations count days in Europe/Paris, as
 * the data holders do; the sandbox and tests fix the date so that their
 * answers do not depend on when they run.
 */
export type Clock = {
  /** Today's date in Europe/Paris, written `YYYY-MM-DD`. */
  today(): string;
};

const parisDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date in Europe/Paris at `instant`, written `YYYY-MM-DD`. */
export function parisDateOf(instant: Date): string {
  return parisDate.format(instant);
}

export const systemClock: Clock = { today: () => parisDateOf(new Date()) };

/** A clock stopped on `date` (`YYYY-MM-DD`): the sandbox's "as of" date. */
export function fixedClock(date: string): Clock {
  return { today: () => date };
}
