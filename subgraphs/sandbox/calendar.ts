/**
 * Calendar arithmetic on ISO strings (`YYYY-MM-DD` dates, `YYYY-MM` months),
 * the formats the stores use. Internal to the sandbox.
 *
 * Dates are counted in days since 1970-01-01 with Hinnant's civil calendar
 * algorithms: pure integer arithmetic, no Date object and no time zone, so a
 * generated dataset never depends on the machine's clock or zone.
 */

export type IsoDate = string;
export type IsoMonth = string;

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The ISO date of a day number. */
export function isoDate(days: number): IsoDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Day number of an ISO date; throws on anything that is not a real calendar date. */
export function toDays(date: IsoDate): number {
  // Hand-parsed rather than by regular expression: this runs for most generated rows.
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) {
    throw new RangeError(`Expected a date as YYYY-MM-DD, got '${date}'.`);
  }
  const year = digitsAt(date, 0, 4);
  const month = digitsAt(date, 5, 2);
  const day = digitsAt(date, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`'${date}' is not a calendar date.`);
  }
  return dayNumber(year, month, day);
}

/** The number written by `length` decimal digits from `start`, or -1 if one is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

export function isIsoDate(value: string): boolean {
  try {
    toDays(value);
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return isoDate(toDays(date) + days);
}

/** Same day `years` later (or earlier); 29 February becomes 28 February in common years. */
export function addYears(date: IsoDate, years: number): IsoDate {
  const year = yearOf(date) + years;
  const monthDay =
    date.slice(5) === '02-29' && daysInMonth(year, 2) === 28 ? '02-28' : date.slice(5);
  return `${pad(year, 4)}-${monthDay}`;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

export function yearOf(date: IsoDate | IsoMonth): number {
  return Number(date.slice(0, 4));
}

export function monthOf(date: IsoDate): IsoMonth {
  return date.slice(0, 7);
}

/** Shifts a month by a number of months (negative goes back). */
export function addMonths(month: IsoMonth, count: number): IsoMonth {
  const index = yearOf(month) * 12 + Number(month.slice(5, 7)) - 1 + count;
  const year = Math.floor(index / 12);
  return `${pad(year, 4)}-${pad(index - year * 12 + 1, 2)}`;
}

export function firstDayOf(month: IsoMonth): IsoDate {
  return `${month}-01`;
}

export function lastDayOf(month: IsoMonth): IsoDate {
  return `${month}-${pad(daysInMonth(yearOf(month), Number(month.slice(5, 7))), 2)}`;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whole years between two dates: the age on `on` of someone born on `birth`. */
export function ageOn(birth: IsoDate, on: IsoDate): number {
  const years = yearOf(on) - yearOf(birth);
  return on.slice(5) >= birth.slice(5) ? years : years - 1;
}

/**
 * First calendar year of the academic year (September to August) that
 * contains `date`: 2026 for both 2026-09-01 and 2027-08-31.
 */
export function academicYearStart(date: IsoDate): number {
  const year = yearOf(date);
  return Number(date.slice(5, 7)) >= 9 ? year : year - 1;
}

/** The stores' label of an academic year, e.g. '2026-2027'. */
export function academicYearLabel(startYear: number): string {
  return `${startYear}-${startYear + 1}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
