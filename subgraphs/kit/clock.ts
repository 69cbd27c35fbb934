/**
 * The calendar the data holder reasons in ("current month", "current
 * academic year"). Injectable so that tests and the sandbox are stable on any
 * date; French administrations count days in Europe/Paris.
 */
export type Clock = {
  /** Today's date, `YYYY-MM-DD`, in Europe/Paris. */
  today(): string;
};

const parisDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export const systemClock: Clock = {
  today: () => parisDate.format(new Date()),
};

export function fixedClock(date: string): Clock {
  return { today: () => date };
}
