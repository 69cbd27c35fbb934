/**
 * What the family-benefits holder records about a household: a benefits file
 * with its members, the monthly family quotient, minimum-income periods and
 * rectifications. Internal to the sandbox.
 */
import {
  addDays,
  addMonths,
  addYears,
  firstDayOf,
  type IsoDate,
  type IsoMonth,
  isoDate,
  lastDayOf,
  maxDate,
  monthOf,
  toDays,
  yearOf,
} from '../calendar.js';
import { childrenBornBy, type Household, incomeForYear } from '../household.js';
import { DecimalIdentifiers } from '../identifiers.js';
import { type Rng, streamRng } from '../random.js';
import { notAfterAsOf, type Timeline } from '../timeline.js';

export type FileMemberRole = 'BENEFICIARY' | 'PARTNER' | 'CHILD' | 'OTHER';

export interface FamilyQuotientRecord {
  readonly month: IsoMonth;
  readonly value: number;
  readonly computedOn: IsoDate;
}

export interface MinimumIncomePeriodRecord {
  readonly since: IsoDate;
  readonly until: IsoDate | null;
  readonly computedOn: IsoDate;
}

export interface RectificationRecord {
  /** Schema coordinate of the rectified value. */
  readonly field: string;
  readonly referencePeriod: string;
  readonly previousValue: string;
  readonly newValue: string;
  readonly rectifiedOn: IsoDate;
}

export interface BenefitFileRecord {
  readonly fileNumber: string;
  readonly openedOn: IsoDate;
  readonly addressLine: string;
  readonly communeCode: string;
  /** Whether a household member receives a disability allowance (health data). */
  readonly disabilityAllowance: boolean;
  readonly members: readonly { readonly personId: string; readonly role: FileMemberRole }[];
  readonly quotients: readonly FamilyQuotientRecord[];
  readonly minimumIncomePeriods: readonly MinimumIncomePeriodRecord[];
  readonly rectifications: readonly RectificationRecord[];
}

export const FAMILY_QUOTIENT_FIELD = 'FamilyQuotient.value';

/**
 * Share of benefits files where a household member receives a disability
 * allowance (adult or child): a few percent, the order of magnitude of the
 * national figures.
 */
const DISABILITY_ALLOWANCE_SHARE = 0.05;

/**
 * Number of parts of the family quotient, after the family allowance funds'
 * national rule (simplified): two for the parent(s) of a family, one for a
 * person alone; half a part for each of the first two children, one for the
 * third, half for each further child.
 */
function quotientParts(adults: number, children: number): number {
  let parts = adults === 2 || children > 0 ? 2 : 1;
  for (let child = 1; child <= children; child += 1) parts += child === 3 ? 1 : 0.5;
  return parts;
}

/** Monthly family allowances in euros (orders of magnitude of the 2024 scale). */
function familyAllowances(children: number): number {
  if (children < 2) return 0;
  return children === 2 ? 149 : 339 + (children - 3) * 190;
}

/** Monthly flat minimum income in euros, by number of adults. */
function minimumIncome(adults: number): number {
  return adults === 2 ? 910 : 607;
}

export class FamilyBenefitsDeriver {
  private readonly fileNumbers: DecimalIdentifiers;
  private readonly asOfYear: number;

  constructor(
    private readonly seed: number,
    private readonly timeline: Timeline,
  ) {
    this.fileNumbers = new DecimalIdentifiers(seed, 'benefits-file-number', 7);
    this.asOfYear = yearOf(timeline.asOf);
  }

  /** The household's benefits file, or null for the ~70% of households without one. */
  derive(household: Household): BenefitFileRecord | null {
    const rng = streamRng(this.seed, 'family-benefits', household.index);
    const lowIncome = household.income < 15_000 * household.adults.length;
    // Nearly every family draws some benefit; without children mostly housing aid, for low incomes.
    const hasFile = rng.chance(household.children.length > 0 ? 0.55 : lowIncome ? 0.35 : 0.04);
    if (!hasFile) return null;

    const head = household.adults[0];
    if (head === undefined) throw new Error('A household has at least one adult.');
    const eldest = household.children[0];
    const opened =
      eldest !== undefined
        ? addDays(eldest.birthDate, rng.int(10, 90))
        : isoDate(toDays(this.timeline.asOf) - rng.int(30, 12 * 365));
    const openedOn = notAfterAsOf(this.timeline, maxDate(opened, addYears(head.birthDate, 18)));

    const minimumIncomePeriods = this.minimumIncomePeriods(rng, household, openedOn);
    const quotients = this.quotients(rng, household, openedOn, minimumIncomePeriods);
    const rectifications = this.rectify(rng, quotients);
    // Drawn last, so that adding it left every earlier draw of the household unchanged.
    const disabilityAllowance = rng.chance(DISABILITY_ALLOWANCE_SHARE);

    return {
      fileNumber: this.fileNumbers.take(),
      openedOn,
      addressLine: household.address.line,
      communeCode: household.address.communeCode,
      disabilityAllowance,
      members: [
        ...household.adults.map((adult, position) => ({
          personId: adult.personId,
          role: position === 0 ? ('BENEFICIARY' as const) : ('PARTNER' as const),
        })),
        ...household.children.map((child) => ({
          personId: child.personId,
          role: 'CHILD' as const,
        })),
      ],
      quotients,
      minimumIncomePeriods,
      rectifications,
    };
  }

  private minimumIncomePeriods(
    rng: Rng,
    household: Household,
    openedOn: IsoDate,
  ): MinimumIncomePeriodRecord[] {
    const income = incomeForYear(household, this.asOfYear, this.asOfYear - 1);
    if (income >= 7_000 * household.adults.length || !rng.chance(0.6)) return [];
    const monthsAgo = rng.int(1, 72);
    const sinceMonth = maxMonth(
      addMonths(this.timeline.currentMonth, -monthsAgo),
      addMonths(monthOf(openedOn), 1),
    );
    const since = firstDayOf(sinceMonth);
    if (since > this.timeline.asOf) return [];
    const span = monthsBetween(sinceMonth, this.timeline.currentMonth);
    if (span >= 4 && rng.chance(0.35)) {
      const until = lastDayOf(addMonths(sinceMonth, rng.int(3, span - 1)));
      return [
        { since, until, computedOn: notAfterAsOf(this.timeline, addDays(until, rng.int(1, 10))) },
      ];
    }
    return [
      {
        since,
        until: null,
        computedOn: notAfterAsOf(this.timeline, addDays(since, rng.int(2, 12))),
      },
    ];
  }

  private quotients(
    rng: Rng,
    household: Household,
    openedOn: IsoDate,
    minimumIncomePeriods: readonly MinimumIncomePeriodRecord[],
  ): FamilyQuotientRecord[] {
    const quotients: FamilyQuotientRecord[] = [];
    for (const month of this.timeline.quotientMonths) {
      const start = firstDayOf(month);
      if (lastDayOf(month) < openedOn) continue;
      // The funds use the income of year N-2 for months of year N.
      const income = incomeForYear(household, this.asOfYear, yearOf(month) - 2);
      const children = childrenBornBy(household, start).filter(
        (child) => yearOf(start) - yearOf(child.birthDate) < 20,
      );
      const onMinimumIncome = minimumIncomePeriods.some(
        (period) => period.since <= start && (period.until === null || period.until >= start),
      );
      const resources =
        income / 12 +
        familyAllowances(children.length) +
        (onMinimumIncome ? minimumIncome(household.adults.length) : 0);
      quotients.push({
        month,
        value: Math.round(resources / quotientParts(household.adults.length, children.length)),
        computedOn: notAfterAsOf(this.timeline, addDays(start, rng.int(1, 6))),
      });
    }
    return quotients;
  }

  /** About 3% of files had one past month recomputed, recorded so that re-users can be notified. */
  private rectify(rng: Rng, quotients: FamilyQuotientRecord[]): RectificationRecord[] {
    if (quotients.length < 2 || !rng.chance(0.03)) return [];
    const position = rng.int(0, quotients.length - 2);
    const rectified = quotients[position];
    if (rectified === undefined) return [];
    const previousValue = Math.max(
      0,
      rectified.value + (rng.chance(0.5) ? 1 : -1) * rng.int(5, 60),
    );
    if (previousValue === rectified.value) return [];
    const earliest = toDays(lastDayOf(rectified.month)) + 1;
    const rectifiedOn = isoDate(rng.int(earliest, Math.max(earliest, toDays(this.timeline.asOf))));
    quotients[position] = { ...rectified, computedOn: rectifiedOn };
    return [
      {
        field: FAMILY_QUOTIENT_FIELD,
        referencePeriod: rectified.month,
        previousValue: String(previousValue),
        newValue: String(rectified.value),
        rectifiedOn,
      },
    ];
  }
}

function maxMonth(a: IsoMonth, b: IsoMonth): IsoMonth {
  return a >= b ? a : b;
}

function monthsBetween(from: IsoMonth, to: IsoMonth): number {
  return (yearOf(to) - yearOf(from)) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}
