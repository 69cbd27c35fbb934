import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSandboxData,
  NAMED_PEOPLE,
  NAMED_TAX_HOUSEHOLDS,
  namedPeople,
  SINGLE_PARENT_QUOTIENT,
} from '../../../subgraphs/sandbox/index.js';
import { AS_OF, makeTempDataDir, PERSONS, removeDataDir, withStores } from './harness.js';

// With AS_OF = 2026-11-15: this month 2026-11, last month 2026-10, academic year 2026-2027,
// income years 2023 to 2025.
const people = namedPeople(AS_OF);

describe('named people of the sandbox', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = makeTempDataDir();
    await generateSandboxData({ dataDir, seed: 42, persons: PERSONS, asOf: AS_OF });
  });
  afterAll(() => removeDataDir(dataDir));

  const query = <Row>(store: Database.Database, sql: string, ...params: unknown[]): Row[] =>
    store.prepare(sql).all(...params) as Row[];

  it('are all in the civil-status store with their pivot identity', () => {
    withStores(dataDir, (stores) => {
      for (const [key, person] of Object.entries(people)) {
        const rows = query<Record<string, string>>(
          stores['civil-status'],
          'SELECT family_name, given_names, birth_date, birth_place_code, sex FROM persons WHERE person_id = ?',
          person.personId,
        );
        expect(rows, key).toEqual([
          {
            family_name: person.familyName,
            given_names: person.givenNames,
            birth_date: person.birthDate,
            birth_place_code: person.birthPlaceCode,
            sex: person.sex,
          },
        ]);
      }
    });
  });

  it('keep the age their scenario needs on the as-of date', () => {
    expect(people.singleParentElderChild.birthDate).toBe('2013-04-18');
    expect(people.scholarshipStudent.birthDate).toBe('2006-03-27');
    // Born on 9 December: still 7 on 15 November.
    expect(people.canteenOpponentChild.birthDate).toBe('2018-12-09');
    expect(namedPeople('2026-12-09').canteenOpponentChild.birthDate).toBe('2019-12-09');
    expect(people.singleParent.birthDate).toBe('1989-07-03');
  });

  it('single parent: quotient 380 this month, last month recomputed and recorded as a rectification', () => {
    withStores(dataDir, (stores) => {
      const store = stores['family-benefits'];
      const fileNumber = NAMED_PEOPLE.singleParent.benefitsFileNumber;
      expect(
        query(
          store,
          'SELECT person_id, role FROM file_members WHERE file_number = ? ORDER BY role, person_id',
          fileNumber,
        ),
      ).toEqual([
        { person_id: NAMED_PEOPLE.singleParent.personId, role: 'BENEFICIARY' },
        ...[
          NAMED_PEOPLE.singleParentElderChild.personId,
          NAMED_PEOPLE.singleParentYoungerChild.personId,
        ]
          .sort()
          .map((personId) => ({ person_id: personId, role: 'CHILD' })),
      ]);
      const quotients = query<{ month: string; value: number; computed_on: string }>(
        store,
        'SELECT month, value, computed_on FROM family_quotients WHERE file_number = ? ORDER BY month',
        fileNumber,
      );
      expect(quotients).toHaveLength(24);
      expect(quotients[0]?.month).toBe('2024-12');
      const current = quotients.find((quotient) => quotient.month === '2026-11');
      expect(current?.value).toBe(380);
      expect(current?.computed_on).toMatch(/^2026-11-/);
      expect((current?.computed_on ?? '') <= AS_OF).toBe(true);
      const last = quotients.find((quotient) => quotient.month === '2026-10');
      expect(last?.value).toBe(SINGLE_PARENT_QUOTIENT.lastMonthAfterRectification);
      // Recomputed after the month ended.
      const recomputedOn = last?.computed_on ?? '';
      expect(recomputedOn > '2026-10-31' && recomputedOn <= AS_OF).toBe(true);
      expect(
        query(
          store,
          'SELECT field, reference_period, previous_value, new_value, rectified_on FROM rectifications WHERE file_number = ?',
          fileNumber,
        ),
      ).toEqual([
        {
          field: 'FamilyQuotient.value',
          reference_period: '2026-10',
          previous_value: '412',
          new_value: '395',
          rectified_on: recomputedOn,
        },
      ]);
    });
  });

  it('single parent: declares both children as dependants every income year', () => {
    withStores(dataDir, (stores) => {
      const householdId = NAMED_TAX_HOUSEHOLDS.singleParent;
      const assessments = query(
        stores.tax,
        'SELECT income_year, number_of_shares, dependant_count FROM tax_assessments WHERE household_id = ? ORDER BY income_year',
        householdId,
      );
      expect(assessments).toEqual(
        [2023, 2024, 2025].map((year) => ({
          income_year: year,
          number_of_shares: 2.5,
          dependant_count: 2,
        })),
      );
      expect(
        query(
          stores.tax,
          'SELECT DISTINCT person_id FROM tax_dependants WHERE household_id = ? ORDER BY 1',
          householdId,
        ),
      ).toEqual(
        [
          NAMED_PEOPLE.singleParentElderChild.personId,
          NAMED_PEOPLE.singleParentYoungerChild.personId,
        ]
          .sort()
          .map((personId) => ({ person_id: personId })),
      );
    });
  });

  it('student: enrolled this academic year with a level-4 scholarship', () => {
    withStores(dataDir, (stores) => {
      const store = stores.education;
      const student = NAMED_PEOPLE.scholarshipStudent;
      expect(
        query(
          store,
          'SELECT person_id FROM students WHERE student_number = ?',
          student.studentNumber,
        ),
      ).toEqual([{ person_id: student.personId }]);
      expect(
        query(
          store,
          `SELECT start_date, end_date, status, i.name FROM enrolments e JOIN institutions i ON i.uai = e.institution_uai
           WHERE person_id = ? AND academic_year = '2026-2027'`,
          student.personId,
        ),
      ).toEqual([
        {
          start_date: '2026-09-01',
          end_date: '2027-08-31',
          status: 'ENROLLED',
          name: 'Université de Rennes',
        },
      ]);
      expect(
        query(
          store,
          "SELECT level, payment_start, payment_end FROM scholarships WHERE person_id = ? AND academic_year = '2026-2027'",
          student.personId,
        ),
      ).toEqual([{ level: 4, payment_start: '2026-09-01', payment_end: '2027-06-30' }]);
    });
  });

  it('single parent’s elder child: collège pupil with a secondary-school grant', () => {
    withStores(dataDir, (stores) => {
      const child = NAMED_PEOPLE.singleParentElderChild;
      expect(
        query(
          stores.education,
          `SELECT e.status, s.level FROM enrolments e JOIN scholarships s USING (person_id, academic_year)
           WHERE person_id = ? AND academic_year = '2026-2027'`,
          child.personId,
        ),
      ).toEqual([{ status: 'ENROLLED', level: 2 }]);
    });
  });

  it('minimum-income beneficiary: current period since two years before the as-of month', () => {
    withStores(dataDir, (stores) => {
      expect(
        query(
          stores['family-benefits'],
          'SELECT since, until FROM minimum_income_periods WHERE file_number = ?',
          NAMED_PEOPLE.minimumIncomeBeneficiary.benefitsFileNumber,
        ),
      ).toEqual([{ since: '2024-11-01', until: null }]);
    });
  });

  it('jobseeker: category 1, still registered, paid for each of the last 8 months', () => {
    withStores(dataDir, (stores) => {
      const store = stores.employment;
      const jobseeker = NAMED_PEOPLE.jobseeker;
      expect(
        query(
          store,
          'SELECT person_id FROM jobseekers WHERE jobseeker_id = ?',
          jobseeker.jobseekerId,
        ),
      ).toEqual([{ person_id: jobseeker.personId }]);
      expect(
        query(
          store,
          'SELECT category, end_date FROM registrations WHERE person_id = ?',
          jobseeker.personId,
        ),
      ).toEqual([{ category: 1, end_date: null }]);
      const payments = query<{ month: string; amount_cents: number; paid_on: string }>(
        store,
        'SELECT month, amount_cents, paid_on FROM benefit_payments WHERE person_id = ? ORDER BY month',
        jobseeker.personId,
      );
      expect(payments.map((payment) => payment.month)).toEqual([
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
        '2026-10',
      ]);
      for (const payment of payments) {
        expect(payment.amount_cents).toBeGreaterThan(0);
        expect(payment.paid_on > `${payment.month}-31` && payment.paid_on <= AS_OF).toBe(true);
      }
    });
  });

  it('taxpayer couple: one household, two declarants, three income years', () => {
    withStores(dataDir, (stores) => {
      const householdId = NAMED_TAX_HOUSEHOLDS.taxpayerDeclarant;
      expect(
        query(
          stores.tax,
          'SELECT person_id, tax_number FROM taxpayers WHERE household_id = ? ORDER BY tax_number',
          householdId,
        ),
      ).toEqual([
        {
          person_id: NAMED_PEOPLE.taxpayerDeclarant.personId,
          tax_number: NAMED_PEOPLE.taxpayerDeclarant.taxNumber,
        },
        {
          person_id: NAMED_PEOPLE.taxpayerPartner.personId,
          tax_number: NAMED_PEOPLE.taxpayerPartner.taxNumber,
        },
      ]);
      const assessments = query<{
        income_year: number;
        family_situation: string;
        assessed_on: string;
      }>(
        stores.tax,
        'SELECT income_year, family_situation, assessed_on FROM tax_assessments WHERE household_id = ? ORDER BY income_year',
        householdId,
      );
      expect(assessments.map((assessment) => assessment.income_year)).toEqual([2023, 2024, 2025]);
      for (const assessment of assessments) {
        expect(assessment.family_situation).toBe('MARRIED');
        expect(assessment.assessed_on.startsWith(String(assessment.income_year + 1))).toBe(true);
      }
      expect(
        query(
          stores.tax,
          'SELECT DISTINCT person_id FROM tax_dependants WHERE household_id = ?',
          householdId,
        ),
      ).toEqual([{ person_id: NAMED_PEOPLE.taxpayerChild.personId }]);
    });
  });

  it('canteen opponent: benefits file with a family quotient every month', () => {
    withStores(dataDir, (stores) => {
      const opponent = NAMED_PEOPLE.canteenOpponent;
      expect(
        query(
          stores['family-benefits'],
          'SELECT file_number, role FROM file_members WHERE person_id = ?',
          opponent.personId,
        ),
      ).toEqual([{ file_number: opponent.benefitsFileNumber, role: 'BENEFICIARY' }]);
      const months = query<{ month: string }>(
        stores['family-benefits'],
        'SELECT month FROM family_quotients WHERE file_number = ? ORDER BY month',
        opponent.benefitsFileNumber,
      );
      expect(months).toHaveLength(24);
      expect(months.at(-1)?.month).toBe('2026-11');
    });
  });

  it('homonyms: same names, sex and birth date; only the birth place differs', () => {
    withStores(dataDir, (stores) => {
      const rows = query<Record<string, string>>(
        stores['civil-status'],
        `SELECT person_id, family_name, given_names, family_name_key, given_names_key, sex, birth_date, birth_place_code
         FROM persons WHERE family_name_key = 'LEMAITRE' AND given_names_key = 'JEAN PIERRE LOUIS' AND birth_date = '1968-03-12'
         ORDER BY person_id`,
      );
      expect(rows.map((row) => row.person_id).sort()).toEqual(
        [NAMED_PEOPLE.homonymBornInLyon.personId, NAMED_PEOPLE.homonymBornInRennes.personId].sort(),
      );
      const [a, b] = rows;
      const { person_id: _a, birth_place_code: placeA, ...identityA } = a ?? {};
      const { person_id: _b, birth_place_code: placeB, ...identityB } = b ?? {};
      expect(identityA).toEqual(identityB);
      expect(new Set([placeA, placeB])).toEqual(new Set(['69123', '35238']));
    });
  });

  it('have family names that the generated population never uses, so their pivot identities are unique', () => {
    withStores(dataDir, (stores) => {
      const namedFamilyNames = [
        ...new Set(Object.values(NAMED_PEOPLE).map((person) => person.familyName)),
      ];
      for (const familyName of namedFamilyNames) {
        const expected = Object.values(NAMED_PEOPLE).filter(
          (person) => person.familyName === familyName,
        ).length;
        expect(
          query(
            stores['civil-status'],
            'SELECT count(*) AS n FROM persons WHERE family_name = ?',
            familyName,
          ),
          familyName,
        ).toEqual([{ n: expected }]);
      }
    });
  });
});
