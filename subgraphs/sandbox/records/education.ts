/**
 * What the education holder records about the pupils and students of a
 * household: enrolments per academic year and needs-based scholarships.
 * Internal to the sandbox.
 */

import { nameKey } from '../../civil-status/index.js';
import { academicYearLabel, addDays, ageOn, type IsoDate, isoDate, toDays } from '../calendar.js';
import { communeByCode } from '../communes.js';
import { type Household, incomeForYear, type Person } from '../household.js';
import { checkLetter, DecimalIdentifiers } from '../identifiers.js';
import { type Institution, institutionsIn, UNIVERSITIES } from '../institutions.js';
import { type Rng, streamRng, WeightedTable } from '../random.js';
import { notAfterAsOf, type Timeline } from '../timeline.js';
import { taxShares } from './tax.js';

export type EnrolmentStatus = 'ENROLLED' | 'WITHDRAWN';

export interface EnrolmentRecord {
  readonly academicYear: string;
  readonly institutionUai: string;
  readonly startDate: IsoDate;
  readonly endDate: IsoDate;
  readonly status: EnrolmentStatus;
}

export interface ScholarshipRecord {
  readonly academicYear: string;
  /** 0 (lowest) to 7 (highest). */
  readonly level: number;
  readonly paymentStart: IsoDate;
  readonly paymentEnd: IsoDate;
  readonly decidedOn: IsoDate;
}

export interface StudentRecord {
  readonly personId: string;
  readonly studentNumber: string;
  readonly email: string;
  readonly enrolments: readonly EnrolmentRecord[];
  readonly scholarships: readonly ScholarshipRecord[];
}

export type SchoolLevel = 'COLLEGE' | 'LYCEE' | 'UNIVERSITY';

/** Age at the end of the calendar year in which the academic year starts, as French school years count it. */
export function schoolAge(person: Person, academicYear: number): number {
  return ageOn(person.birthDate, `${academicYear}-12-31`);
}

export function levelForAge(age: number, studiesUntil: number): SchoolLevel | null {
  if (age < 11 || age > studiesUntil) return null;
  if (age <= 14) return 'COLLEGE';
  if (age <= 17) return 'LYCEE';
  return 'UNIVERSITY';
}

// The age at which someone stops studying, for those who go on after 17.
const STUDIES_UNTIL = new WeightedTable<number>([
  [17, 30],
  [18, 5],
  [19, 8],
  [20, 12],
  [21, 12],
  [22, 13],
  [23, 10],
  [24, 6],
  [25, 4],
]);

const UNIVERSITY_BY_SIZE = new WeightedTable<Institution>(
  UNIVERSITIES.map(
    (university) => [university, communeByCode(university.communeCode).population] as const,
  ),
);

// Income-per-share ceilings of each scholarship level, from level 0 up (higher levels for
// lower incomes); secondary-school grants have fewer levels and no level 0.
const SCHOLARSHIP_CEILINGS: Readonly<Record<SchoolLevel, readonly (number | null)[]>> = {
  UNIVERSITY: [18_000, 15_500, 13_000, 11_000, 9_000, 7_000, 5_000, 3_000],
  LYCEE: [null, 10_500, 9_000, 7_500, 6_000, 4_500, 3_000],
  COLLEGE: [null, 10_000, 7_000, 4_000],
};

/** Scholarship level for a family's reference income per tax share; null above the ceiling. */
function scholarshipLevel(level: SchoolLevel, incomePerShare: number): number | null {
  const ceilings = SCHOLARSHIP_CEILINGS[level];
  for (let candidate = ceilings.length - 1; candidate >= 0; candidate -= 1) {
    const ceiling = ceilings[candidate];
    if (ceiling !== null && ceiling !== undefined && incomePerShare < ceiling) return candidate;
  }
  return null;
}

/** Enrolment dates of an academic year: September to August. */
export function academicYearDates(academicYear: number): { startDate: IsoDate; endDate: IsoDate } {
  return { startDate: `${academicYear}-09-01`, endDate: `${academicYear + 1}-08-31` };
}

/** Scholarships are paid monthly from September to June. */
export function scholarshipPaymentPeriod(academicYear: number): {
  paymentStart: IsoDate;
  paymentEnd: IsoDate;
} {
  return { paymentStart: `${academicYear}-09-01`, paymentEnd: `${academicYear + 1}-06-30` };
}

export function studentEmail(person: Person, discriminator: number): string {
  const slug = (name: string) => nameKey(name).toLowerCase().replace(/ /g, '-');
  const firstName = person.givenNames.split(' ')[0] ?? person.givenNames;
  return `${slug(firstName)}.${slug(person.familyName)}${discriminator}@etu.example.org`;
}

export class EducationDeriver {
  private readonly studentNumbers: DecimalIdentifiers;

  constructor(
    private readonly seed: number,
    private readonly timeline: Timeline,
  ) {
    this.studentNumbers = new DecimalIdentifiers(seed, 'student-number', 10);
  }

  derive(household: Household): StudentRecord[] {
    const rng = streamRng(this.seed, 'education', household.index);
    // Pupils and students living with their family, and young adults living on their own.
    const learners = [
      ...household.children,
      ...household.adults.filter((adult) => this.isYoung(adult)),
    ];
    const records: StudentRecord[] = [];
    for (const learner of learners) {
      const record = this.student(rng, household, learner);
      if (record !== null) records.push(record);
    }
    return records;
  }

  private isYoung(person: Person): boolean {
    return ageOn(person.birthDate, this.timeline.asOf) <= 25;
  }

  private student(rng: Rng, household: Household, person: Person): StudentRecord | null {
    const studiesUntil = STUDIES_UNTIL.pick(rng);
    const institutions = new Map<SchoolLevel, Institution>();
    const enrolments: EnrolmentRecord[] = [];
    const scholarships: ScholarshipRecord[] = [];
    for (const academicYear of this.timeline.academicYears) {
      const level = levelForAge(schoolAge(person, academicYear), studiesUntil);
      if (level === null) continue;
      let institution = institutions.get(level);
      if (institution === undefined) {
        institution = this.institution(rng, level, household.address.communeCode);
        institutions.set(level, institution);
      }
      const enrolment = this.enrolment(rng, academicYear, level, institution);
      enrolments.push(enrolment);
      const scholarship = this.scholarship(rng, household, person, academicYear, level, enrolment);
      if (scholarship !== null) scholarships.push(scholarship);
    }
    if (enrolments.length === 0) return null;
    const digits = this.studentNumbers.take();
    return {
      personId: person.personId,
      studentNumber: `${digits}${checkLetter(digits)}`,
      email: studentEmail(person, rng.int(1, 99)),
      enrolments,
      scholarships,
    };
  }

  private institution(rng: Rng, level: SchoolLevel, communeCode: string): Institution {
    const local = institutionsIn(communeCode, level);
    if (local.length > 0 && (level !== 'UNIVERSITY' || rng.chance(0.8))) return rng.pick(local);
    if (level === 'UNIVERSITY') return UNIVERSITY_BY_SIZE.pick(rng);
    throw new Error(`Commune ${communeCode} has no ${level}.`);
  }

  private enrolment(
    rng: Rng,
    academicYear: number,
    level: SchoolLevel,
    institution: Institution,
  ): EnrolmentRecord {
    const { startDate, endDate } = academicYearDates(academicYear);
    const base = {
      academicYear: academicYearLabel(academicYear),
      institutionUai: institution.uai,
      startDate,
    };
    // A few students drop out during the year; the end date is then the withdrawal date.
    const withdrawalEarliest = toDays(`${academicYear}-10-15`);
    const withdrawalLatest = Math.min(
      toDays(`${academicYear + 1}-06-30`),
      toDays(this.timeline.asOf),
    );
    if (level === 'UNIVERSITY' && withdrawalLatest > withdrawalEarliest && rng.chance(0.04)) {
      return {
        ...base,
        endDate: isoDate(rng.int(withdrawalEarliest, withdrawalLatest)),
        status: 'WITHDRAWN',
      };
    }
    return { ...base, endDate, status: 'ENROLLED' };
  }

  private scholarship(
    rng: Rng,
    household: Household,
    person: Person,
    academicYear: number,
    level: SchoolLevel,
    enrolment: EnrolmentRecord,
  ): ScholarshipRecord | null {
    const asOfYear = this.timeline.incomeYears[2] + 1;
    const livesAlone = household.adults.includes(person);
    // Grants use the family's income of year N-2; students living alone are assessed on
    // their parents' income, which the dataset does not hold, so they get a random one.
    const incomePerShare = livesAlone
      ? rng.fromQuantiles([
          0, 3_000, 6_000, 9_000, 12_000, 16_000, 22_000, 30_000, 45_000, 70_000, 150_000,
        ])
      : incomeForYear(household, asOfYear, academicYear - 2) /
        taxShares(household.adults.length, household.children.length);
    const levelFound = scholarshipLevel(level, incomePerShare);
    // Not every eligible family applies.
    if (levelFound === null || !rng.chance(0.9)) return null;
    const { paymentStart, paymentEnd } = scholarshipPaymentPeriod(academicYear);
    return {
      academicYear: enrolment.academicYear,
      level: levelFound,
      paymentStart,
      paymentEnd:
        enrolment.status === 'WITHDRAWN' && enrolment.endDate < paymentEnd
          ? enrolment.endDate
          : paymentEnd,
      decidedOn: notAfterAsOf(this.timeline, addDays(`${academicYear}-07-01`, rng.int(0, 60))),
    };
  }
}
