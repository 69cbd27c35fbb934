/**
 * The generator's model of the population: households of people, before any
 * data holder's view of them. Each holder's records are derived from a
 * household (see records/). Internal to the sandbox.
 */
import type { IsoDate } from './calendar.js';
import type { Sex } from './names.js';

export interface Person {
  readonly personId: string;
  readonly familyName: string;
  /** Space separated, in order. */
  readonly givenNames: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  /** INSEE code of a reference commune. */
  readonly birthPlaceCode: string;
}

/** The tax holder's vocabulary, also used for everyone's civil situation. */
export type FamilySituation = 'MARRIED' | 'CIVIL_PARTNERSHIP' | 'SINGLE' | 'DIVORCED' | 'WIDOWED';

export interface Address {
  /** Number and street, e.g. '12 rue des Lilas'. */
  readonly line: string;
  readonly communeCode: string;
  /** When the household moved in. */
  readonly since: IsoDate;
}

export interface Household {
  /** Position in the generated stream; seeds each holder's choices for this household. */
  readonly index: number;
  /** One or two adults; the first is the reference person (benefits beneficiary, first declarant). */
  readonly adults: readonly Person[];
  /** Children living with the adults, eldest first, aged 0 to 25. */
  readonly children: readonly Person[];
  readonly familySituation: FamilySituation;
  readonly address: Address;
  /** Reference tax income for the year before the as-of year, in euros; 0 when nobody earns. */
  readonly income: number;
  /** Yearly factor of that income, e.g. 1.021. */
  readonly incomeGrowth: number;
}

/** The household's reference tax income for an income year, in euros. */
export function incomeForYear(household: Household, asOfYear: number, incomeYear: number): number {
  // Repeated multiplication rather than `**` so the result never depends on a libm.
  let income = household.income;
  const steps = incomeYear - (asOfYear - 1);
  for (let i = 0; i < Math.abs(steps); i += 1) {
    income = steps > 0 ? income * household.incomeGrowth : income / household.incomeGrowth;
  }
  return Math.round(income);
}

/** Children born on or before a date (a child born later is not yet part of the household then). */
export function childrenBornBy(household: Household, date: IsoDate): Person[] {
  return household.children.filter((child) => child.birthDate <= date);
}
