/**
 * The named people: fixed fictitious people present in every sandbox dataset,
 * beside the generated population, that tests, examples and documentation
 * refer to by id or by identifier. Each one exercises a scenario of
 * SCENARIOS.md.
 *
 * Everything here is independent of the as-of date except the birth dates of
 * the people whose scenario needs an age (the children and the student): they
 * are given as an age on the as-of date, so that a 13-year-old stays a
 * 13-year-old pupil whatever the dataset's date. `namedPeople(asOf)` resolves
 * them. The dated records of each named person (family quotients, payments,
 * enrolments...) are all relative to the as-of date too; see namedRecords.ts.
 *
 * Their family names never occur in the generated population, so their pivot
 * identities (names, birth date, birth place) are unique in every dataset
 * (except the two homonyms, on purpose, who differ by birth place only).
 */
import { addYears, type IsoDate, yearOf } from './calendar.js';
import { checkLetter } from './identifiers.js';
import type { Sex } from './names.js';

export type NamedBirth =
  /** A fixed birth date. */
  | { readonly kind: 'fixed'; readonly date: IsoDate }
  /** The person is `age` years old on the as-of date, born on `monthDay` ('MM-DD'). */
  | { readonly kind: 'ageOnAsOf'; readonly age: number; readonly monthDay: string };

export interface NamedPerson {
  /** Opaque person id, in the generated ids' format; the same in every dataset. */
  readonly personId: string;
  readonly familyName: string;
  readonly givenNames: string;
  readonly sex: Sex;
  readonly birth: NamedBirth;
  /** INSEE code of the birth commune. */
  readonly birthPlaceCode: string;
  /** Family-benefits file number (7 digits), when the person is a member of a file. */
  readonly benefitsFileNumber?: string;
  /** Tax number (13 digits), when the person is a declarant. */
  readonly taxNumber?: string;
  /** Jobseeker id (7 digits and a letter). */
  readonly jobseekerId?: string;
  /** National student number (10 digits and a letter). */
  readonly studentNumber?: string;
  /** The scenario the person is there for. */
  readonly exercises: string;
}

// Named identifiers start with '0'; generated decimal identifiers never do.
const withCheckLetter = (digits: string): string => `${digits}${checkLetter(digits)}`;

export const NAMED_PEOPLE = {
  singleParent: {
    personId: 'p_ff47b10522786ce5',
    familyName: 'Delorme',
    givenNames: 'Aurélie Sandrine',
    sex: 'F',
    birth: { kind: 'fixed', date: '1989-07-03' },
    birthPlaceCode: '80021',
    benefitsFileNumber: '0381201',
    taxNumber: '0801294736152',
    exercises:
      'Single parent of two: family quotient 380 this month; last month recomputed (rectification from 412 to 395).',
  },
  singleParentElderChild: {
    personId: 'p_f1298f94f6e46819',
    familyName: 'Delorme',
    givenNames: 'Lucas',
    sex: 'M',
    birth: { kind: 'ageOnAsOf', age: 13, monthDay: '04-18' },
    birthPlaceCode: '80021',
    benefitsFileNumber: '0381201',
    studentNumber: withCheckLetter('0802461357'),
    exercises:
      'Child of the single parent: pupil in a collège with a level-2 secondary-school grant every year.',
  },
  singleParentYoungerChild: {
    personId: 'p_cb50d9c7c6d04953',
    familyName: 'Delorme',
    givenNames: 'Jade Marie',
    sex: 'F',
    birth: { kind: 'ageOnAsOf', age: 8, monthDay: '10-02' },
    birthPlaceCode: '80021',
    benefitsFileNumber: '0381201',
    exercises:
      'Younger child of the single parent: in the benefits file and a tax dependant, not in the education store.',
  },
  scholarshipStudent: {
    personId: 'p_6c760a587c384bf2',
    familyName: 'Kerjean',
    givenNames: 'Maëlle',
    sex: 'F',
    birth: { kind: 'ageOnAsOf', age: 20, monthDay: '03-27' },
    birthPlaceCode: '29232',
    studentNumber: withCheckLetter('0352718406'),
    exercises:
      'Student enrolled this academic year at Université de Rennes, level-4 scholarship this year.',
  },
  minimumIncomeBeneficiary: {
    personId: 'p_e6f7e68a4a77e397',
    familyName: 'Pelletier',
    givenNames: 'Sébastien',
    sex: 'M',
    birth: { kind: 'fixed', date: '1979-06-22' },
    birthPlaceCode: '59350',
    benefitsFileNumber: '0592417',
    taxNumber: '0591374628047',
    exercises:
      'Minimum-income beneficiary since the first day of the month 24 months before the as-of month; receives a disability allowance (sensitive health data).',
  },
  jobseeker: {
    personId: 'p_f6aea67d6ea5bb02',
    familyName: 'Haddad',
    givenNames: 'Karim',
    sex: 'M',
    birth: { kind: 'fixed', date: '1991-02-09' },
    birthPlaceCode: '31555',
    taxNumber: '0310582947316',
    jobseekerId: withCheckLetter('0314159'),
    exercises:
      'Jobseeker in category 1 since 9 months, with a benefit payment for each of the last 8 months.',
  },
  taxpayerDeclarant: {
    personId: 'p_722322d5d4c0456e',
    familyName: 'Besnard',
    givenNames: 'Philippe Henri',
    sex: 'M',
    birth: { kind: 'fixed', date: '1972-09-30' },
    birthPlaceCode: '44109',
    taxNumber: '0441295037718',
    exercises:
      'First declarant of a married couple with three income years on file and one dependant.',
  },
  taxpayerPartner: {
    personId: 'p_0dd5a91d1cf13381',
    familyName: 'Guichard',
    givenNames: 'Isabelle',
    sex: 'F',
    birth: { kind: 'fixed', date: '1974-01-17' },
    birthPlaceCode: '49007',
    taxNumber: '0441295037726',
    exercises: 'Second declarant of the married couple (same tax household, own tax number).',
  },
  taxpayerChild: {
    personId: 'p_c40fbfa9220f4017',
    familyName: 'Besnard',
    givenNames: 'Hugo',
    sex: 'M',
    birth: { kind: 'ageOnAsOf', age: 16, monthDay: '05-11' },
    birthPlaceCode: '44109',
    studentNumber: withCheckLetter('0447205318'),
    exercises: 'Dependant of the taxpayer couple; lycée pupil without scholarship.',
  },
  canteenOpponent: {
    personId: 'p_97e3fea37e70262a',
    familyName: 'Carlier',
    givenNames: 'Émilie',
    sex: 'F',
    birth: { kind: 'fixed', date: '1986-05-04' },
    birthPlaceCode: '93048',
    benefitsFileNumber: '0930815',
    taxNumber: '0931642085573',
    exercises:
      'Has opposed the school-canteen pricing purpose (the opposition is registered elsewhere); has a benefits file with family quotients.',
  },
  canteenOpponentChild: {
    personId: 'p_607c6ee5ad05ca74',
    familyName: 'Carlier',
    givenNames: 'Léna',
    sex: 'F',
    birth: { kind: 'ageOnAsOf', age: 7, monthDay: '12-09' },
    birthPlaceCode: '93048',
    benefitsFileNumber: '0930815',
    exercises: 'Child of the canteen opponent (primary school age).',
  },
  homonymBornInLyon: {
    personId: 'p_ae657833b19d7288',
    familyName: 'Lemaître',
    givenNames: 'Jean-Pierre Louis',
    sex: 'M',
    birth: { kind: 'fixed', date: '1968-03-12' },
    birthPlaceCode: '69123',
    taxNumber: '0691038472265',
    exercises: 'Homonym: same names and birth date as homonymBornInRennes, born in Lyon.',
  },
  homonymBornInRennes: {
    personId: 'p_3608b17ba68497bc',
    familyName: 'Lemaître',
    givenNames: 'Jean-Pierre Louis',
    sex: 'M',
    birth: { kind: 'fixed', date: '1968-03-12' },
    birthPlaceCode: '35238',
    taxNumber: '0350927461184',
    exercises: 'Homonym: same names and birth date as homonymBornInLyon, born in Rennes.',
  },
} as const satisfies Record<string, NamedPerson>;

export type NamedPersonKey = keyof typeof NAMED_PEOPLE;

/** Tax household ids of the named declarants, keyed by their first declarant. */
export const NAMED_TAX_HOUSEHOLDS = {
  singleParent: 'h_5f9c752cfabaa367',
  minimumIncomeBeneficiary: 'h_5a00c609a663163b',
  jobseeker: 'h_6ff18bdb301f653b',
  taxpayerDeclarant: 'h_8605ad7377e0c75f',
  canteenOpponent: 'h_86566a5a658131f8',
  homonymBornInLyon: 'h_dc038f3bc7d2b5e5',
  homonymBornInRennes: 'h_69fda77b00d79a75',
} as const satisfies Partial<Record<NamedPersonKey, string>>;

/** A named person with the birth date resolved for an as-of date. */
export type ResolvedNamedPerson = NamedPerson & { readonly birthDate: IsoDate };

export function namedBirthDate(birth: NamedBirth, asOf: IsoDate): IsoDate {
  if (birth.kind === 'fixed') return birth.date;
  // The latest birthday on or before the as-of date, `age` years back.
  const sameYear = `${yearOf(asOf)}-${birth.monthDay}`;
  const lastBirthday = sameYear <= asOf ? sameYear : addYears(sameYear, -1);
  return addYears(lastBirthday, -birth.age);
}

/** The named people with their birth dates for the dataset's as-of date. */
export function namedPeople(asOf: IsoDate): Readonly<Record<NamedPersonKey, ResolvedNamedPerson>> {
  const entries = Object.entries(NAMED_PEOPLE) as [NamedPersonKey, NamedPerson][];
  return Object.fromEntries(
    entries.map(([key, person]) => [
      key,
      { ...person, birthDate: namedBirthDate(person.birth, asOf) },
    ]),
  ) as Record<NamedPersonKey, ResolvedNamedPerson>;
}

export const NAMED_PERSON_IDS: ReadonlySet<string> = new Set(
  Object.values(NAMED_PEOPLE).map((person) => person.personId),
);

export const NAMED_TAX_HOUSEHOLD_IDS: ReadonlySet<string> = new Set(
  Object.values(NAMED_TAX_HOUSEHOLDS),
);
