/**
 * What the tax holder records about a household: its declarants and one
 * assessment per income year, with the dependants declared. Internal to the
 * sandbox.
 */
import { addDays, type IsoDate } from '../calendar.js';
import {
  childrenBornBy,
  type FamilySituation,
  type Household,
  incomeForYear,
} from '../household.js';
import { DecimalIdentifiers, OpaqueIds } from '../identifiers.js';
import { streamRng } from '../random.js';
import { notAfterAsOf, type Timeline } from '../timeline.js';

export interface TaxpayerRecord {
  readonly personId: string;
  readonly taxNumber: string;
}

export interface TaxAssessmentRecord {
  readonly incomeYear: number;
  readonly referenceTaxIncome: number;
  readonly numberOfShares: number;
  readonly familySituation: FamilySituation;
  readonly dependants: readonly string[];
  readonly assessedOn: IsoDate;
}

export interface TaxHouseholdRecord {
  readonly householdId: string;
  readonly taxpayers: readonly TaxpayerRecord[];
  readonly assessments: readonly TaxAssessmentRecord[];
}

/**
 * Number of shares of the income tax family quotient: one per declarant,
 * half for each of the first two dependants and one from the third, plus half
 * for a parent raising children alone.
 */
export function taxShares(declarants: number, dependants: number): number {
  let shares = declarants;
  for (let child = 1; child <= dependants; child += 1) shares += child <= 2 ? 0.5 : 1;
  if (declarants === 1 && dependants > 0) shares += 0.5;
  return shares;
}

export class TaxDeriver {
  private readonly householdIds: OpaqueIds;
  private readonly taxNumbers: DecimalIdentifiers;

  constructor(
    private readonly seed: number,
    private readonly timeline: Timeline,
    reservedHouseholdIds: ReadonlySet<string>,
  ) {
    this.householdIds = new OpaqueIds(seed, 'tax-household-id', 'h_', reservedHouseholdIds);
    // Tax numbers start with 1 to 3 like real ones; the named people's start with 0.
    this.taxNumbers = new DecimalIdentifiers(seed, 'tax-number', 13, 3);
  }

  /** The household's tax file, or null when nobody in it files (no income, and did not declare). */
  derive(household: Household): TaxHouseholdRecord | null {
    const rng = streamRng(this.seed, 'tax', household.index);
    // Everyone with income files; about half of the households without income file anyway.
    if (household.income === 0 && !rng.chance(0.5)) return null;
    const asOfYear = this.timeline.incomeYears[2] + 1;
    const assessments = this.timeline.incomeYears.map((incomeYear): TaxAssessmentRecord => {
      const dependants = childrenBornBy(household, `${incomeYear}-12-31`).map(
        (child) => child.personId,
      );
      return {
        incomeYear,
        referenceTaxIncome: incomeForYear(household, asOfYear, incomeYear),
        numberOfShares: taxShares(household.adults.length, dependants.length),
        familySituation: household.familySituation,
        dependants,
        // Notices go out from late July to early September of the following year.
        assessedOn: notAfterAsOf(this.timeline, addDays(`${incomeYear + 1}-07-24`, rng.int(0, 40))),
      };
    });
    return {
      householdId: this.householdIds.forIndex(household.index),
      taxpayers: household.adults.map((adult) => ({
        personId: adult.personId,
        taxNumber: this.taxNumbers.take(),
      })),
      assessments,
    };
  }
}
