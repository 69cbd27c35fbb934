import {
  academicYearStart,
  addMonths,
  type IsoDate,
  type IsoMonth,
  minDate,
  monthOf,
  toDays,
  yearOf,
} from './calendar.js';

/**
 * The periods every holder reasons about, all derived from the as-of date
 * ("today" for the dataset), so that a dataset generated for a given as-of is
 * the same on any machine and any day. Internal to the sandbox.
 */
export interface Timeline {
  readonly asOf: IsoDate;
  readonly currentMonth: IsoMonth;
  readonly lastMonth: IsoMonth;
  /** Family quotient history: the 24 months ending with the current one, oldest first. */
  readonly quotientMonths: readonly IsoMonth[];
  /** Income years assessed by the tax holder: as-of year - 3 to - 1, oldest first. */
  readonly incomeYears: readonly [number, number, number];
  /** First years of the academic years with enrolments: the current one and the two before, oldest first. */
  readonly academicYears: readonly [number, number, number];
  readonly currentAcademicYear: number;
}

export function timelineFor(asOf: IsoDate): Timeline {
  toDays(asOf); // validates
  const currentMonth = monthOf(asOf);
  const year = yearOf(asOf);
  const currentAcademicYear = academicYearStart(asOf);
  return {
    asOf,
    currentMonth,
    lastMonth: addMonths(currentMonth, -1),
    quotientMonths: Array.from({ length: 24 }, (_, i) => addMonths(currentMonth, i - 23)),
    incomeYears: [year - 3, year - 2, year - 1],
    academicYears: [currentAcademicYear - 2, currentAcademicYear - 1, currentAcademicYear],
    currentAcademicYear,
  };
}

/** A computation or payment date never lies in the dataset's future. */
export function notAfterAsOf(timeline: Timeline, date: IsoDate): IsoDate {
  return minDate(date, timeline.asOf);
}
