/**
 * What the employment holder records about the jobseekers of a household:
 * registrations (category, start, end) and monthly benefit payments.
 * Internal to the sandbox.
 */
import {
  addDays,
  addMonths,
  addYears,
  ageOn,
  firstDayOf,
  type IsoDate,
  type IsoMonth,
  isoDate,
  lastDayOf,
  maxDate,
  minDate,
  toDays,
} from '../calendar.js';
import type { Household, Person } from '../household.js';
import { checkLetter, DecimalIdentifiers } from '../identifiers.js';
import { type Rng, streamRng, WeightedTable } from '../random.js';
import { notAfterAsOf, type Timeline } from '../timeline.js';

export type JobseekerCategory = 1 | 2 | 3 | 4 | 5;

export interface RegistrationRecord {
  readonly startDate: IsoDate;
  readonly endDate: IsoDate | null;
  readonly category: JobseekerCategory;
}

export interface BenefitPaymentRecord {
  readonly month: IsoMonth;
  readonly amountCents: number;
  readonly paidOn: IsoDate;
}

export interface JobseekerRecord {
  readonly personId: string;
  readonly jobseekerId: string;
  readonly registrations: readonly RegistrationRecord[];
  readonly payments: readonly BenefitPaymentRecord[];
}

// Roughly the national shares: most jobseekers are immediately available without any work.
const CATEGORIES = new WeightedTable<JobseekerCategory>([
  [1, 50],
  [2, 8],
  [3, 12],
  [4, 18],
  [5, 12],
]);

// Daily unemployment allowance in cents at evenly spaced quantiles (minimum, deciles, maximum):
// about 1,300 euros a month at the median.
const DAILY_ALLOWANCE_CENTS = [
  2_300, 3_000, 3_400, 3_800, 4_200, 4_500, 4_900, 5_500, 6_400, 8_000, 13_000,
];

/** Payments are kept for the 24 months before the current one. */
const PAYMENT_HISTORY_MONTHS = 24;

/** Payment for month M is made in the first days of month M+1, never after the as-of date. */
export function paymentDate(timeline: Timeline, month: IsoMonth, delayDays: number): IsoDate {
  return notAfterAsOf(timeline, addDays(firstDayOf(addMonths(month, 1)), delayDays));
}

export class EmploymentDeriver {
  private readonly jobseekerIds: DecimalIdentifiers;
  private readonly asOfDays: number;

  constructor(
    private readonly seed: number,
    private readonly timeline: Timeline,
  ) {
    this.jobseekerIds = new DecimalIdentifiers(seed, 'jobseeker-id', 7);
    this.asOfDays = toDays(timeline.asOf);
  }

  /** About 11.5% of adults aged 18 to 64 (8% of all adults) are or were recently registered. */
  derive(household: Household): JobseekerRecord[] {
    const rng = streamRng(this.seed, 'employment', household.index);
    const records: JobseekerRecord[] = [];
    for (const adult of household.adults) {
      const age = ageOn(adult.birthDate, this.timeline.asOf);
      if (age < 18 || age > 64 || !rng.chance(0.115)) continue;
      const registrations = this.registrations(rng, adult);
      const digits = this.jobseekerIds.take();
      records.push({
        personId: adult.personId,
        jobseekerId: `${digits}${checkLetter(digits)}`,
        registrations,
        payments: this.payments(rng, registrations),
      });
    }
    return records;
  }

  private registrations(rng: Rng, person: Person): RegistrationRecord[] {
    // Registration is possible from 16.
    const earliest = toDays(addYears(person.birthDate, 16));
    const current = rng.chance(0.7);
    const start = Math.max(
      earliest,
      this.asOfDays - rng.int(current ? 7 : 120, current ? 3 * 365 : 4 * 365),
    );
    const end = current ? null : Math.min(start + rng.int(60, 540), this.asOfDays - 1);
    const registrations: RegistrationRecord[] = [];
    // Some came back after an earlier registration ended.
    if (rng.chance(0.2)) {
      const earlierEnd = start - rng.int(35, 700);
      const earlierStart = earlierEnd - rng.int(60, 500);
      if (earlierStart >= earliest) {
        registrations.push({
          startDate: isoDate(earlierStart),
          endDate: isoDate(earlierEnd),
          category: CATEGORIES.pick(rng),
        });
      }
    }
    registrations.push({
      startDate: isoDate(start),
      endDate: end === null || end <= start ? null : isoDate(end),
      category: CATEGORIES.pick(rng),
    });
    return registrations;
  }

  /** Monthly unemployment benefit for the days registered in each month, for about 65% of registrations. */
  private payments(rng: Rng, registrations: readonly RegistrationRecord[]): BenefitPaymentRecord[] {
    const amounts = new Map<IsoMonth, number>();
    const firstMonth = addMonths(this.timeline.currentMonth, -PAYMENT_HISTORY_MONTHS);
    for (const registration of registrations) {
      if (registration.category === 5 || !rng.chance(0.65)) continue;
      const dailyCents = Math.round(rng.fromQuantiles(DAILY_ALLOWANCE_CENTS));
      for (let offset = 0; offset < PAYMENT_HISTORY_MONTHS; offset += 1) {
        const month = addMonths(firstMonth, offset);
        const from = maxDate(firstDayOf(month), registration.startDate);
        const to = minDate(lastDayOf(month), registration.endDate ?? lastDayOf(month));
        if (from > to) continue;
        const days = toDays(to) - toDays(from) + 1;
        amounts.set(month, (amounts.get(month) ?? 0) + days * dailyCents);
      }
    }
    const delay = rng.int(0, 4);
    return [...amounts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, amountCents]) => ({
        month,
        amountCents,
        paidOn: paymentDate(this.timeline, month, delay),
      }));
  }
}
