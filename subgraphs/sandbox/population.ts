/**
 * The generated population, as a stream of households. Internal to the sandbox.
 *
 * Shares follow French census orders of magnitude (INSEE): about 37% of
 * households are one person, 28% couples without children, 25% couples with
 * children and 10% single parents, about 2.1 people per household; ages come
 * from per-type bands, tuned so that the overall pyramid is within two points
 * of the French one per 15-year band, from 0 to 95.
 * Household i depends only on (seed, i), and only the last household is cut
 * to reach the requested number of persons exactly.
 */
import { fr } from '@faker-js/faker';
import { addYears, type IsoDate, isoDate, toDays, yearOf } from './calendar.js';
import { COMMUNES } from './communes.js';
import type { Address, FamilySituation, Household, Person } from './household.js';
import { OpaqueIds } from './identifiers.js';
import { pickFamilyName, pickGivenNames, type Sex } from './names.js';
import { type Rng, streamRng, WeightedTable } from './random.js';
import type { Timeline } from './timeline.js';

type HouseholdType = 'SINGLE' | 'COUPLE' | 'COUPLE_WITH_CHILDREN' | 'SINGLE_PARENT';

const HOUSEHOLD_TYPES = new WeightedTable<HouseholdType>([
  ['SINGLE', 37],
  ['COUPLE', 28],
  ['COUPLE_WITH_CHILDREN', 25],
  ['SINGLE_PARENT', 10],
]);

/** Age bands of the reference person, [from, to, weight]. */
type AgeBands = readonly (readonly [number, number, number])[];

const HEAD_AGE_BANDS: Readonly<Record<HouseholdType, WeightedTable<readonly [number, number]>>> = {
  SINGLE: bands([
    [18, 24, 13],
    [25, 34, 15],
    [35, 44, 9],
    [45, 54, 11],
    [55, 64, 15],
    [65, 74, 17],
    [75, 84, 15],
    [85, 95, 9],
  ]),
  COUPLE: bands([
    [20, 29, 9],
    [30, 39, 6],
    [40, 54, 8],
    [55, 64, 24],
    [65, 74, 31],
    [75, 84, 19],
    [85, 95, 5],
  ]),
  COUPLE_WITH_CHILDREN: bands([
    [22, 29, 7],
    [30, 39, 33],
    [40, 49, 38],
    [50, 59, 20],
    [60, 64, 2],
  ]),
  SINGLE_PARENT: bands([
    [20, 29, 10],
    [30, 39, 30],
    [40, 49, 37],
    [50, 59, 20],
    [60, 64, 3],
  ]),
};

function bands(rows: AgeBands): WeightedTable<readonly [number, number]> {
  return new WeightedTable(
    rows.map(([from, to, weight]) => [[from, to] as const, weight] as const),
  );
}

const CHILD_COUNTS: Readonly<
  Record<'COUPLE_WITH_CHILDREN' | 'SINGLE_PARENT', WeightedTable<number>>
> = {
  COUPLE_WITH_CHILDREN: new WeightedTable([
    [1, 42],
    [2, 40],
    [3, 14],
    [4, 4],
  ]),
  SINGLE_PARENT: new WeightedTable([
    [1, 55],
    [2, 32],
    [3, 10],
    [4, 3],
  ]),
};

const RESIDENCE = new WeightedTable(
  COMMUNES.map((commune) => [commune.code, commune.population] as const),
);

// Street types weighted by how common they are; names from Faker's French list plus common ones.
const STREET_TYPES = new WeightedTable<string>([
  ['rue', 56],
  ['avenue', 12],
  ['impasse', 7],
  ['allée', 6],
  ['boulevard', 6],
  ['place', 4],
  ['chemin', 4],
  ['quai', 2],
  ['passage', 2],
  ['voie', 1],
]);
const STREET_NAMES: readonly string[] = [
  ...(fr.location?.street_suffix ?? []),
  'des Lilas',
  'Victor Hugo',
  'de la République',
  'Jean Jaurès',
  'de la Gare',
  'du Général de Gaulle',
  'des Écoles',
  'Pasteur',
  'du Moulin',
  'de la Liberté',
  'des Tilleuls',
  'de la Mairie',
  'du Stade',
  'des Acacias',
  'de l’Église',
  'Gambetta',
];

// Annual incomes in euros at evenly spaced quantiles (minimum, deciles, maximum).
const WAGES = [
  4_000, 12_500, 16_500, 18_500, 20_500, 22_500, 25_000, 28_500, 33_500, 43_000, 95_000,
];
const YOUNG_WAGES = [
  1_500, 4_000, 7_000, 9_500, 12_000, 14_000, 16_000, 18_000, 20_000, 23_000, 35_000,
];
const PENSIONS = [
  3_000, 9_500, 12_500, 15_000, 17_000, 19_500, 22_000, 25_000, 29_000, 36_000, 80_000,
];

export interface PopulationOptions {
  readonly seed: number;
  readonly persons: number;
  readonly timeline: Timeline;
  /** Person ids that generated people must not take (the named people's). */
  readonly reservedPersonIds: ReadonlySet<string>;
}

export function* generatePopulation(options: PopulationOptions): Generator<Household> {
  const personIds = new OpaqueIds(options.seed, 'person-id', 'p_', options.reservedPersonIds);
  let nextPerson = 0;
  for (let index = 0; nextPerson < options.persons; index += 1) {
    const builder = new HouseholdBuilder(
      streamRng(options.seed, 'population', index),
      options.timeline,
      () => personIds.forIndex(nextPerson++),
    );
    yield builder.build(index, options.persons - nextPerson);
  }
}

class HouseholdBuilder {
  private readonly asOfYear: number;

  constructor(
    private readonly rng: Rng,
    private readonly timeline: Timeline,
    private readonly nextPersonId: () => string,
  ) {
    this.asOfYear = yearOf(timeline.asOf);
  }

  /** Builds household `index` with at most `capacity` people. */
  build(index: number, capacity: number): Household {
    const rng = this.rng;
    const type = HOUSEHOLD_TYPES.pick(rng);
    const [from, to] = HEAD_AGE_BANDS[type].pick(rng);
    const headAge = rng.int(from, to);
    const residence = RESIDENCE.pick(rng);

    const headSex = this.headSex(type, headAge);
    const head = this.person(headSex, headAge, residence, pickFamilyName(rng), 0.35);
    const adults: Person[] = [head];
    let partnerAge: number | undefined;
    if ((type === 'COUPLE' || type === 'COUPLE_WITH_CHILDREN') && capacity >= 2) {
      const partnerSex: Sex = rng.chance(0.97) ? (headSex === 'F' ? 'M' : 'F') : headSex;
      const gap = headSex === partnerSex ? 0 : headSex === 'M' ? -2 : 2;
      partnerAge = clamp(Math.round(rng.normal(headAge + gap, 3)), 18, 98);
      adults.push(this.person(partnerSex, partnerAge, residence, pickFamilyName(rng), 0.35));
    }

    const children: Person[] = [];
    if (type === 'COUPLE_WITH_CHILDREN' || type === 'SINGLE_PARENT') {
      const youngestParentAge = Math.min(headAge, partnerAge ?? headAge);
      const familyName = this.childrenFamilyName(adults);
      // The eldest was born when the youngest parent was 19 to 44, and is at most 25.
      const oldest = Math.max(0, Math.min(25, youngestParentAge - 19));
      let age = rng.int(Math.min(oldest, Math.max(0, youngestParentAge - 44)), oldest);
      for (let n = CHILD_COUNTS[type].pick(rng); n > 0 && age >= 0; n -= 1) {
        if (adults.length + children.length >= capacity) break;
        children.push(this.person(rng.chance(0.51) ? 'M' : 'F', age, residence, familyName, 0.75));
        age -= rng.int(1, 5);
      }
    }

    return {
      index,
      adults,
      children,
      familySituation: this.familySituation(type, headAge, adults.length),
      address: this.address(residence, Math.min(headAge, partnerAge ?? headAge)),
      ...this.income(type, adults),
    };
  }

  private headSex(type: HouseholdType, age: number): Sex {
    if (type === 'SINGLE_PARENT') return this.rng.chance(0.83) ? 'F' : 'M';
    // Women live longer: most people living alone at 75 and over are women.
    if (type === 'SINGLE')
      return this.rng.chance(age >= 75 ? 0.72 : age >= 60 ? 0.58 : 0.46) ? 'F' : 'M';
    return this.rng.chance(0.5) ? 'F' : 'M';
  }

  private person(
    sex: Sex,
    age: number,
    residence: string,
    familyName: string,
    localBirth: number,
  ): Person {
    const rng = this.rng;
    const birthDate = this.birthDate(age);
    return {
      personId: this.nextPersonId(),
      familyName,
      givenNames: pickGivenNames(rng, sex, yearOf(birthDate)),
      sex,
      birthDate,
      birthPlaceCode: rng.chance(localBirth) ? residence : RESIDENCE.pick(rng),
    };
  }

  /** A birth date giving exactly `age` on the as-of date. */
  private birthDate(age: number): IsoDate {
    // The latest birth date for that age is the as-of date `age` years back; 364 days earlier is still that age.
    const anniversary = toDays(addYears(this.timeline.asOf, -age));
    return isoDate(anniversary - this.rng.int(0, 364));
  }

  /** Most children carry the father's name, some the mother's or both (since 2005). */
  private childrenFamilyName(adults: readonly Person[]): string {
    const rng = this.rng;
    const [first, second] = adults;
    if (first === undefined) throw new Error('A household has at least one adult.');
    if (second === undefined) return rng.chance(0.85) ? first.familyName : pickFamilyName(rng);
    const father = first.sex === 'M' ? first : second;
    const mother = father === first ? second : first;
    const roll = rng.float();
    if (roll < 0.8) return father.familyName;
    if (roll < 0.88 || father.familyName === mother.familyName) return mother.familyName;
    return `${father.familyName} ${mother.familyName}`;
  }

  private familySituation(
    type: HouseholdType,
    headAge: number,
    adultCount: number,
  ): FamilySituation {
    const rng = this.rng;
    if (adultCount === 2)
      return rng.chance(headAge < 40 ? 0.45 : 0.25) ? 'CIVIL_PARTNERSHIP' : 'MARRIED';
    const roll = rng.float();
    const [single, divorced]: readonly [number, number] =
      type === 'SINGLE_PARENT' || (headAge >= 35 && headAge < 60)
        ? [0.5, 0.95]
        : headAge < 35
          ? [0.9, 1]
          : headAge < 75
            ? [0.25, 0.65]
            : [0.12, 0.3];
    return roll < single ? 'SINGLE' : roll < divorced ? 'DIVORCED' : 'WIDOWED';
  }

  private address(communeCode: string, youngestAdultAge: number): Address {
    const rng = this.rng;
    const number = rng.chance(0.6) ? rng.int(1, 40) : rng.int(1, 180);
    const suffix = rng.chance(0.03) ? ' bis' : '';
    const line = `${number}${suffix} ${STREET_TYPES.pick(rng)} ${rng.pick(STREET_NAMES)}`;
    // Moved in some time after turning 18, up to 25 years ago.
    const maxYears = clamp(youngestAdultAge - 18, 0, 25);
    const since = isoDate(toDays(this.timeline.asOf) - rng.int(20, 20 + maxYears * 365));
    return { line, communeCode, since };
  }

  private income(
    type: HouseholdType,
    adults: readonly Person[],
  ): Pick<Household, 'income' | 'incomeGrowth'> {
    const rng = this.rng;
    const incomeGrowth = Math.round(rng.normal(1.02, 0.035) * 1000) / 1000;
    // A minority of working-age households live on almost nothing: the minimum-income population.
    const head = adults[0] as Person;
    const headAge = this.asOfYear - yearOf(head.birthDate);
    if (headAge < 62 && rng.chance(type === 'SINGLE_PARENT' ? 0.16 : 0.05)) {
      return { income: rng.chance(0.4) ? 0 : rng.int(300, 6_000), incomeGrowth };
    }
    let earned = 0;
    for (const adult of adults) {
      const age = this.asOfYear - yearOf(adult.birthDate);
      if (age < 25) earned += rng.chance(0.55) ? rng.fromQuantiles(YOUNG_WAGES) : 0;
      else if (age < 62) earned += rng.chance(0.88) ? rng.fromQuantiles(WAGES) : 0;
      else if (age < 67) earned += rng.fromQuantiles(rng.chance(0.5) ? WAGES : PENSIONS);
      else earned += rng.chance(0.97) ? rng.fromQuantiles(PENSIONS) : 0;
    }
    // The reference tax income is roughly 90% of earnings (standard 10% deduction).
    return { income: Math.round(earned * 0.9), incomeGrowth };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
