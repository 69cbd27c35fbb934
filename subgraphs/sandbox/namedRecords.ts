/**
 * Every holder's records about the named people, written explicitly rather
 * than drawn at random, so that the values tests assert (a quotient of 380,
 * eight payments, a level-4 scholarship...) hold for any seed. Dates are
 * relative to the as-of date. Internal to the sandbox.
 */
import {
  academicYearLabel,
  addDays,
  addMonths,
  firstDayOf,
  type IsoDate,
  lastDayOf,
  toDays,
  yearOf,
} from './calendar.js';
import type { Address, FamilySituation, Household, Person } from './household.js';
import { type Institution, institutionsIn } from './institutions.js';
import {
  NAMED_TAX_HOUSEHOLDS,
  type NamedPersonKey,
  namedPeople,
  type ResolvedNamedPerson,
} from './namedPeople.js';
import { civilStatusRecords, type PersonRecord } from './records/civilStatus.js';
import {
  academicYearDates,
  levelForAge,
  type StudentRecord,
  scholarshipPaymentPeriod,
  schoolAge,
  studentEmail,
} from './records/education.js';
import { type JobseekerRecord, paymentDate } from './records/employment.js';
import {
  type BenefitFileRecord,
  FAMILY_QUOTIENT_FIELD,
  type FamilyQuotientRecord,
} from './records/familyBenefits.js';
import { type TaxHouseholdRecord, taxShares } from './records/tax.js';
import { notAfterAsOf, type Timeline } from './timeline.js';

export interface NamedRecords {
  readonly persons: readonly PersonRecord[];
  readonly benefitFiles: readonly BenefitFileRecord[];
  readonly taxHouseholds: readonly TaxHouseholdRecord[];
  readonly jobseekers: readonly JobseekerRecord[];
  readonly students: readonly StudentRecord[];
}

/** Values of the named single parent's family quotient, which tests assert. */
export const SINGLE_PARENT_QUOTIENT = {
  currentMonth: 380,
  lastMonthBeforeRectification: 412,
  lastMonthAfterRectification: 395,
} as const;

/** Daily unemployment benefit of the named jobseeker, in cents. */
const JOBSEEKER_DAILY_CENTS = 4_475;

export function namedRecords(timeline: Timeline): NamedRecords {
  const people = namedPeople(timeline.asOf);
  const person = (key: NamedPersonKey): Person => toPerson(people[key]);
  const builder = new NamedRecordsBuilder(timeline, people);

  const delorme = household(
    [person('singleParent')],
    [person('singleParentElderChild'), person('singleParentYoungerChild')],
    'DIVORCED',
    { line: '8 rue des Tilleuls', communeCode: '80021', since: '2016-03-01' },
  );
  const kerjean = household([person('scholarshipStudent')], [], 'SINGLE', {
    line: '14 boulevard de la Liberté',
    communeCode: '35238',
    since: `${timeline.academicYears[0]}-08-25`,
  });
  const pelletier = household([person('minimumIncomeBeneficiary')], [], 'SINGLE', {
    line: '3 impasse du Moulin',
    communeCode: '59512',
    since: '2012-06-15',
  });
  const haddad = household([person('jobseeker')], [], 'SINGLE', {
    line: '41 avenue Jean Jaurès',
    communeCode: '31555',
    since: '2019-10-01',
  });
  const besnard = household(
    [person('taxpayerDeclarant'), person('taxpayerPartner')],
    [person('taxpayerChild')],
    'MARRIED',
    { line: '17 rue Pasteur', communeCode: '44109', since: '2008-04-12' },
  );
  const carlier = household(
    [person('canteenOpponent')],
    [person('canteenOpponentChild')],
    'SINGLE',
    {
      line: '5 place de la Mairie',
      communeCode: '93048',
      since: '2017-09-01',
    },
  );
  const lemaitreLyon = household([person('homonymBornInLyon')], [], 'SINGLE', {
    line: '9 rue Victor Hugo',
    communeCode: '69266',
    since: '2001-02-01',
  });
  const lemaitreRennes = household([person('homonymBornInRennes')], [], 'WIDOWED', {
    line: '23 rue de la Gare',
    communeCode: '29019',
    since: '1999-07-15',
  });

  const all = [delorme, kerjean, pelletier, haddad, besnard, carlier, lemaitreLyon, lemaitreRennes];
  return {
    persons: all
      .flatMap((named) => civilStatusRecords(named))
      .map((record) => ({
        ...record,
        addressSince: notAfterAsOf(timeline, record.addressSince),
        updatedOn: notAfterAsOf(timeline, record.updatedOn),
      })),
    benefitFiles: [
      builder.singleParentFile(delorme),
      builder.minimumIncomeFile(pelletier),
      builder.steadyFile(carlier, 'canteenOpponent', [675, 690]),
    ],
    taxHouseholds: [
      builder.taxHousehold(delorme, 'singleParent', [11_400, 11_650, 11_900]),
      builder.taxHousehold(pelletier, 'minimumIncomeBeneficiary', [1_850, 0, 2_400]),
      builder.taxHousehold(haddad, 'jobseeker', [26_800, 27_900, 28_700]),
      builder.taxHousehold(besnard, 'taxpayerDeclarant', [71_200, 73_900, 76_400]),
      builder.taxHousehold(carlier, 'canteenOpponent', [24_300, 25_100, 25_800]),
      builder.taxHousehold(lemaitreLyon, 'homonymBornInLyon', [34_100, 35_000, 35_900]),
      builder.taxHousehold(lemaitreRennes, 'homonymBornInRennes', [29_400, 29_800, 30_500]),
    ],
    jobseekers: [builder.jobseeker()],
    students: [
      builder.student('singleParentElderChild', '80021', [2, 2, 2]),
      builder.student('scholarshipStudent', '35238', [3, 4, 4]),
      builder.student('taxpayerChild', '44109', [null, null, null]),
    ],
  };
}

function toPerson(named: ResolvedNamedPerson): Person {
  return {
    personId: named.personId,
    familyName: named.familyName,
    givenNames: named.givenNames,
    sex: named.sex,
    birthDate: named.birthDate,
    birthPlaceCode: named.birthPlaceCode,
  };
}

function household(
  adults: Person[],
  children: Person[],
  familySituation: FamilySituation,
  address: Address,
): Household {
  // Named records are explicit: index, income and growth are not used to derive anything.
  return { index: -1, adults, children, familySituation, address, income: 0, incomeGrowth: 1 };
}

class NamedRecordsBuilder {
  constructor(
    private readonly timeline: Timeline,
    private readonly people: Readonly<Record<NamedPersonKey, ResolvedNamedPerson>>,
  ) {}

  /** Quotient 380 this month; last month recomputed from 412 to 395 after the month ended. */
  singleParentFile(household: Household): BenefitFileRecord {
    const { currentMonth, lastMonth } = this.timeline;
    const rectifiedOn = this.notAfterAsOf(addDays(firstDayOf(currentMonth), 2));
    const file = this.fileOf(household, 'singleParent', this.eldestBirthPlus(household, 20));
    const quotients = this.monthlyQuotients(file.openedOn, (month) => {
      if (month === currentMonth) return SINGLE_PARENT_QUOTIENT.currentMonth;
      if (month === lastMonth) return SINGLE_PARENT_QUOTIENT.lastMonthAfterRectification;
      return yearOf(month) < yearOf(this.timeline.asOf)
        ? 405
        : SINGLE_PARENT_QUOTIENT.lastMonthBeforeRectification;
    }).map((quotient) =>
      quotient.month === lastMonth ? { ...quotient, computedOn: rectifiedOn } : quotient,
    );
    return {
      ...file,
      disabilityAllowance: false,
      quotients,
      minimumIncomePeriods: [],
      rectifications: [
        {
          field: FAMILY_QUOTIENT_FIELD,
          referencePeriod: lastMonth,
          previousValue: String(SINGLE_PARENT_QUOTIENT.lastMonthBeforeRectification),
          newValue: String(SINGLE_PARENT_QUOTIENT.lastMonthAfterRectification),
          rectifiedOn,
        },
      ],
    };
  }

  /**
   * A current minimum-income period since the first day of the month 24
   * months before the as-of month, and a disability allowance (the one named
   * file holding the sensitive health field).
   */
  minimumIncomeFile(household: Household): BenefitFileRecord {
    const since = firstDayOf(addMonths(this.timeline.currentMonth, -24));
    const file = this.fileOf(household, 'minimumIncomeBeneficiary', '2015-03-09');
    return {
      ...file,
      disabilityAllowance: true,
      // The flat minimum income for a person alone, and no other resources.
      quotients: this.monthlyQuotients(file.openedOn, () => 607),
      minimumIncomePeriods: [
        { since, until: null, computedOn: this.notAfterAsOf(addDays(since, 6)) },
      ],
      rectifications: [],
    };
  }

  /**
   * A family's file, opened after the eldest child's birth, with one quotient
   * for the months of past years and another for the months of the as-of year.
   */
  steadyFile(
    household: Household,
    beneficiary: NamedPersonKey,
    [pastYears, asOfYear]: readonly [number, number],
  ): BenefitFileRecord {
    const file = this.fileOf(household, beneficiary, this.eldestBirthPlus(household, 20));
    return {
      ...file,
      disabilityAllowance: false,
      quotients: this.monthlyQuotients(file.openedOn, (month) =>
        yearOf(month) < yearOf(this.timeline.asOf) ? pastYears : asOfYear,
      ),
      minimumIncomePeriods: [],
      rectifications: [],
    };
  }

  taxHousehold(
    household: Household,
    declarant: keyof typeof NAMED_TAX_HOUSEHOLDS,
    incomes: readonly [number, number, number],
  ): TaxHouseholdRecord {
    return {
      householdId: NAMED_TAX_HOUSEHOLDS[declarant],
      taxpayers: household.adults.map((adult) => ({
        personId: adult.personId,
        taxNumber: this.taxNumberOf(adult),
      })),
      assessments: this.timeline.incomeYears.map((incomeYear, position) => {
        const dependants = household.children
          .filter((child) => child.birthDate <= `${incomeYear}-12-31`)
          .map((child) => child.personId);
        return {
          incomeYear,
          referenceTaxIncome: incomes[position] ?? 0,
          numberOfShares: taxShares(household.adults.length, dependants.length),
          familySituation: household.familySituation,
          dependants,
          assessedOn: this.notAfterAsOf(`${incomeYear + 1}-07-30`),
        };
      }),
    };
  }

  /** Category 1 since 9 months; paid for each of the 8 months before the current one (not the first, partial month). */
  jobseeker(): JobseekerRecord {
    const named = this.people.jobseeker;
    const startDate = this.notAfterAsOf(
      addDays(firstDayOf(addMonths(this.timeline.currentMonth, -9)), 13),
    );
    const payments = Array.from({ length: 8 }, (_, i) => {
      const month = addMonths(this.timeline.currentMonth, i - 8);
      const days = toDays(lastDayOf(month)) - toDays(firstDayOf(month)) + 1;
      return {
        month,
        amountCents: days * JOBSEEKER_DAILY_CENTS,
        paidOn: paymentDate(this.timeline, month, 2),
      };
    });
    return {
      personId: named.personId,
      jobseekerId: required(named.jobseekerId, 'jobseekerId'),
      registrations: [{ startDate, endDate: null, category: 1 }],
      payments,
    };
  }

  /** Enrolled every academic year on file, at the first institution of the right level in `communeCode`. */
  student(
    key: NamedPersonKey,
    communeCode: string,
    scholarshipLevels: readonly [number | null, number | null, number | null],
  ): StudentRecord {
    const named = this.people[key];
    const enrolments: StudentRecord['enrolments'][number][] = [];
    const scholarships: StudentRecord['scholarships'][number][] = [];
    this.timeline.academicYears.forEach((academicYear, position) => {
      const institution = this.institutionFor(named, academicYear, communeCode);
      if (institution === undefined) return;
      enrolments.push({
        academicYear: academicYearLabel(academicYear),
        institutionUai: institution.uai,
        ...academicYearDates(academicYear),
        status: 'ENROLLED',
      });
      const level = scholarshipLevels[position];
      if (level !== null && level !== undefined) {
        scholarships.push({
          academicYear: academicYearLabel(academicYear),
          level,
          ...scholarshipPaymentPeriod(academicYear),
          decidedOn: this.notAfterAsOf(`${academicYear}-07-18`),
        });
      }
    });
    return {
      personId: named.personId,
      studentNumber: required(named.studentNumber, 'studentNumber'),
      email: studentEmail(toPerson(named), 1),
      enrolments,
      scholarships,
    };
  }

  private institutionFor(
    named: ResolvedNamedPerson,
    academicYear: number,
    communeCode: string,
  ): Institution | undefined {
    const level = levelForAge(schoolAge(named, academicYear), 25);
    return level === null ? undefined : institutionsIn(communeCode, level)[0];
  }

  private fileOf(
    household: Household,
    beneficiary: NamedPersonKey,
    openedOn: IsoDate,
  ): Pick<
    BenefitFileRecord,
    'fileNumber' | 'openedOn' | 'addressLine' | 'communeCode' | 'members'
  > {
    return {
      fileNumber: required(this.people[beneficiary].benefitsFileNumber, 'benefitsFileNumber'),
      openedOn: this.notAfterAsOf(openedOn),
      addressLine: household.address.line,
      communeCode: household.address.communeCode,
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
    };
  }

  /** One quotient per month of the history since the file opened, computed on the 5th (never after as-of). */
  private monthlyQuotients(
    openedOn: IsoDate,
    quotientFor: (month: string) => number,
  ): FamilyQuotientRecord[] {
    return this.timeline.quotientMonths
      .filter((month) => lastDayOf(month) >= openedOn)
      .map((month) => ({
        month,
        value: quotientFor(month),
        computedOn: this.notAfterAsOf(addDays(firstDayOf(month), 4)),
      }));
  }

  private eldestBirthPlus(household: Household, days: number): IsoDate {
    const eldest = household.children[0];
    return eldest === undefined ? this.timeline.asOf : addDays(eldest.birthDate, days);
  }

  private taxNumberOf(person: Person): string {
    const named = Object.values(this.people).find(
      (candidate) => candidate.personId === person.personId,
    );
    return required(named?.taxNumber, 'taxNumber');
  }

  private notAfterAsOf(date: IsoDate): IsoDate {
    return notAfterAsOf(this.timeline, date);
  }
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`A named person lacks ${name}.`);
  return value;
}
