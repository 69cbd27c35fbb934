import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NAMED_PEOPLE } from '../../subgraphs/sandbox/index.js';
import { asReuser } from '../support/asReuser.js';
import '../support/context.js';
import { postGraphQL } from '../support/graphql.js';
import { createPolicyFixture } from '../support/policyFixture.js';
import { TEST_DATASET } from '../support/sandboxDataset.js';
import { type RunningSystem, startSystem } from '../support/system.js';

// The whole system as a user starts it: five data holder processes and the
// gateway on loopback, over the run's sandbox dataset (as of 2026-11-15).
//
// These tests are about federation (one query answered by several data
// holders, entity batching, identifier lookups), not minimisation: they run
// under a test-only purpose granting everything they select, which no
// shipped purpose does on purpose. The shipped purposes are exercised in
// purposes.test.ts.
const FEDERATION_PURPOSE = 'federation-test';
const FEDERATION_REUSER = 'federation-tester';
const wide = (unit: 'month' | 'year') => ({ window: { unit, from: -120, to: 12 } });

const policies = createPolicyFixture({
  purposes: [
    {
      id: FEDERATION_PURPOSE,
      holders: ['civil-status', 'family-benefits', 'tax', 'employment', 'education'],
      grants: {
        'Query.beneficiaryByFileNumber': {},
        'Query.jobseekerById': {},
        'Query.studentByNumber': {},
        'Query.taxpayerByTaxNumber': {},
        'Query.personsByPivotIdentity': {},
        'Person.familyName': {},
        'Person.givenNames': {},
        'Person.birthDate': {},
        'Person.birthPlace': {},
        'Commune.code': {},
        'Commune.name': {},
        'Person.familyBenefits': {},
        'FamilyBenefitsFile.familyQuotient': {},
        'FamilyBenefitsFile.familyQuotients': wide('month'),
        'FamilyQuotient.month': {},
        'FamilyQuotient.value': {},
        'FamilyQuotient.computedOn': {},
        'FamilyBenefitsFile.children': {},
        'FamilyBenefitsFile.minimumIncome': {},
        'MinimumIncomeStatus.beneficiary': {},
        'MinimumIncomeStatus.since': {},
        'Person.student': {},
        'Student.currentEnrolment': {},
        'Enrolment.academicYear': {},
        'Enrolment.enrolled': {},
        'Student.isScholarshipHolder': {},
        'Student.currentScholarship': {},
        'Scholarship.level': {},
        'Person.taxHousehold': {},
        'TaxHousehold.taxNumber': {},
        'TaxHousehold.assessments': wide('year'),
        'TaxAssessment.incomeYear': {},
        'TaxAssessment.numberOfShares': {},
        'TaxAssessment.dependants': {},
        'Person.jobseeker': {},
        'Jobseeker.jobseekerId': {},
        'Jobseeker.currentRegistration': {},
        'JobseekerRegistration.category': {},
        'Jobseeker.benefitPayments': wide('month'),
        'BenefitPayment.month': {},
        'BenefitPayment.amount': {},
      },
    },
  ],
  reusers: [{ id: FEDERATION_REUSER, purposes: [{ purpose: FEDERATION_PURPOSE }] }],
});

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({
    dataDir: inject('sandboxDataDir'),
    ...TEST_DATASET,
    env: { PASSERELLE_POLICIES_DIR: policies.dir },
  });
});

afterAll(async () => {
  expect(await system.stop()).toBe(0);
  policies.remove();
});

const query = async <Data>(text: string, variables: Record<string, unknown> = {}) =>
  postGraphQL<Data>(
    system.gatewayUrl,
    text,
    variables,
    await asReuser(FEDERATION_REUSER, FEDERATION_PURPOSE, { audience: system.gatewayUrl }),
  );

describe('one federated query answered by all five data holders', () => {
  it("returns the single parent's identity, quotients, children's schooling and tax years", async () => {
    const { singleParent } = NAMED_PEOPLE;
    const response = await query<{
      beneficiaryByFileNumber: {
        familyName: string;
        givenNames: string[];
        birthPlace: { name: string };
        familyBenefits: {
          familyQuotient: { month: string; value: number };
          familyQuotients: { month: string; value: number; computedOn: string }[];
          children: {
            givenNames: string[];
            student: { currentScholarship: { level: number } | null } | null;
          }[];
        };
        taxHousehold: { assessments: { incomeYear: number }[] };
        jobseeker: null;
      };
    }>(
      /* GraphQL */ `
        query ($fileNumber: String!) {
          beneficiaryByFileNumber(fileNumber: $fileNumber) {
            familyName
            givenNames
            birthPlace { name }
            familyBenefits {
              familyQuotient(month: "2026-11") { month value }
              familyQuotients { month value computedOn }
              children { givenNames student { currentScholarship { level } } }
            }
            taxHousehold { assessments { incomeYear } }
            jobseeker { jobseekerId }
          }
        }
      `,
      { fileNumber: singleParent.benefitsFileNumber },
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const person = response.body.data?.beneficiaryByFileNumber;
    expect(person?.familyName).toBe(singleParent.familyName);
    expect(person?.givenNames).toEqual(singleParent.givenNames.split(' '));
    expect(person?.familyBenefits.familyQuotient).toEqual({ month: '2026-11', value: 380 });
    // Last month's quotient was recomputed after the month began.
    const october = person?.familyBenefits.familyQuotients.find(
      (quotient) => quotient.month === '2026-10',
    );
    expect(october?.computedOn.localeCompare('2026-10-31')).toBe(1);
    const children = person?.familyBenefits.children ?? [];
    expect(children.map((child) => child.givenNames[0]).sort()).toEqual(['Jade', 'Lucas']);
    const lucas = children.find((child) => child.givenNames[0] === 'Lucas');
    expect(lucas?.student?.currentScholarship?.level).toBe(2);
    expect(person?.taxHousehold.assessments.map((assessment) => assessment.incomeYear)).toEqual([
      2025, 2024, 2023,
    ]);
    // Asked of the employment holder too: she has no jobseeker file.
    expect(person?.jobseeker).toBeNull();
  });

  it('finds the jobseeker by sector identifier, with eight monthly payments', async () => {
    const { jobseeker } = NAMED_PEOPLE;
    const response = await query<{
      jobseekerById: {
        familyName: string;
        birthDate: string;
        jobseeker: {
          currentRegistration: { category: number };
          benefitPayments: { month: string; amount: number }[];
        };
      };
    }>(
      `query ($id: String!) { jobseekerById(jobseekerId: $id) {
        familyName birthDate jobseeker { currentRegistration { category } benefitPayments { month amount } } } }`,
      { id: jobseeker.jobseekerId },
    );
    expect(response.body.errors).toBeUndefined();
    const person = response.body.data?.jobseekerById;
    expect(person?.familyName).toBe(jobseeker.familyName);
    expect(person?.birthDate).toBe(jobseeker.birth.date);
    expect(person?.jobseeker.currentRegistration.category).toBe(1);
    const months = person?.jobseeker.benefitPayments.map((payment) => payment.month) ?? [];
    for (const month of [
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
    ]) {
      expect(months).toContain(month);
    }
    for (const payment of person?.jobseeker.benefitPayments ?? [])
      expect(payment.amount).toBeGreaterThan(0);
  });

  it('finds the student by student number, enrolled this year with a level-4 scholarship', async () => {
    const { scholarshipStudent } = NAMED_PEOPLE;
    const response = await query<{
      studentByNumber: {
        familyName: string;
        student: {
          currentEnrolment: { academicYear: string; enrolled: boolean };
          isScholarshipHolder: boolean;
          currentScholarship: { level: number };
        };
      };
    }>(
      `query ($number: String!) { studentByNumber(studentNumber: $number) {
        familyName student { currentEnrolment { academicYear enrolled } isScholarshipHolder currentScholarship { level } } } }`,
      { number: scholarshipStudent.studentNumber },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.studentByNumber).toEqual({
      familyName: scholarshipStudent.familyName,
      student: {
        currentEnrolment: { academicYear: '2026-2027', enrolled: true },
        isScholarshipHolder: true,
        currentScholarship: { level: 4 },
      },
    });
  });

  it('tells the minimum-income beneficiary has been one since two years ago', async () => {
    const response = await query<{
      beneficiaryByFileNumber: { familyBenefits: { minimumIncome: unknown } };
    }>(
      `query ($n: String!) { beneficiaryByFileNumber(fileNumber: $n) { familyBenefits { minimumIncome { beneficiary since } } } }`,
      { n: NAMED_PEOPLE.minimumIncomeBeneficiary.benefitsFileNumber },
    );
    expect(response.body.data?.beneficiaryByFileNumber.familyBenefits.minimumIncome).toEqual({
      beneficiary: true,
      since: '2024-11-01',
    });
  });

  it("lists the taxpayer couple's three income years and their dependant", async () => {
    const response = await query<{
      taxpayerByTaxNumber: {
        givenNames: string[];
        taxHousehold: {
          assessments: {
            incomeYear: number;
            numberOfShares: number;
            dependants: { givenNames: string[] }[];
          }[];
        };
      };
    }>(
      `query ($n: String!) { taxpayerByTaxNumber(taxNumber: $n) {
        givenNames taxHousehold { assessments { incomeYear numberOfShares dependants { givenNames } } } } }`,
      { n: NAMED_PEOPLE.taxpayerDeclarant.taxNumber },
    );
    expect(response.body.errors).toBeUndefined();
    const assessments = response.body.data?.taxpayerByTaxNumber.taxHousehold.assessments ?? [];
    expect(assessments.map((assessment) => assessment.incomeYear)).toEqual([2025, 2024, 2023]);
    for (const assessment of assessments) {
      expect(assessment.dependants.map((dependant) => dependant.givenNames[0])).toEqual(['Hugo']);
    }
  });
});

describe('pivot identity lookup', () => {
  const { homonymBornInLyon, homonymBornInRennes } = NAMED_PEOPLE;
  const lookup = (variables: Record<string, unknown>) =>
    query<{
      personsByPivotIdentity: {
        birthPlace: { code: string; name: string };
        taxHousehold: { taxNumber: string };
      }[];
    }>(
      `query ($familyName: String!, $givenNames: String!, $birthDate: String!, $birthPlaceCode: String) {
        personsByPivotIdentity(familyName: $familyName, givenNames: $givenNames, birthDate: $birthDate, birthPlaceCode: $birthPlaceCode) {
          birthPlace { code name } taxHousehold { taxNumber } } }`,
      variables,
    );
  const identity = {
    familyName: homonymBornInLyon.familyName,
    givenNames: homonymBornInLyon.givenNames,
    birthDate: homonymBornInLyon.birth.date,
  };

  it('returns both homonyms when the birth place is not given, never a guess', async () => {
    const response = await lookup(identity);
    expect(response.body.errors).toBeUndefined();
    const places = response.body.data?.personsByPivotIdentity
      .map((person) => person.birthPlace.code)
      .sort();
    expect(places).toEqual(
      [homonymBornInRennes.birthPlaceCode, homonymBornInLyon.birthPlaceCode].sort(),
    );
  });

  it('tells the homonyms apart by birth place, each with their own tax file', async () => {
    for (const homonym of [homonymBornInLyon, homonymBornInRennes]) {
      const response = await lookup({ ...identity, birthPlaceCode: homonym.birthPlaceCode });
      expect(response.body.data?.personsByPivotIdentity).toEqual([
        expect.objectContaining({
          birthPlace: expect.objectContaining({ code: homonym.birthPlaceCode }),
          taxHousehold: { taxNumber: homonym.taxNumber },
        }),
      ]);
    }
  });

  it('matches names without regard to case, accents or hyphens, and first given names only', async () => {
    const response = await lookup({
      ...identity,
      familyName: 'LEMAITRE',
      givenNames: 'jean pierre',
      birthPlaceCode: homonymBornInLyon.birthPlaceCode,
    });
    expect(response.body.data?.personsByPivotIdentity).toHaveLength(1);
  });

  it('returns an empty list when nobody matches', async () => {
    const response = await lookup({ ...identity, birthDate: '1968-03-13' });
    expect(response.body.data?.personsByPivotIdentity).toEqual([]);
  });

  it('refuses an impossible birth date with BAD_USER_INPUT naming the argument', async () => {
    const response = await lookup({ ...identity, birthDate: '1968-02-30' });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toContain('birthDate');
  });
});

describe('sector identifier lookups', () => {
  it('returns null for an unknown but well-formed identifier', async () => {
    const response = await query<{ taxpayerByTaxNumber: unknown }>(
      '{ taxpayerByTaxNumber(taxNumber: "9999999999999") { familyName } }',
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.taxpayerByTaxNumber).toBeNull();
  });

  it.each([
    ['beneficiaryByFileNumber(fileNumber: "12")', 'fileNumber'],
    ['taxpayerByTaxNumber(taxNumber: "abc")', 'taxNumber'],
    ['jobseekerById(jobseekerId: "1234567")', 'jobseekerId'],
    ['studentByNumber(studentNumber: "x")', 'studentNumber'],
  ])('refuses a malformed identifier: %s', async (field, argument) => {
    const response = await query(`{ ${field} { familyName } }`);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toContain(argument);
  });
});

describe('health', () => {
  it('answers /health and reports every subgraph up on /ready', async () => {
    const base = system.gatewayUrl.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { subgraphs: { name: string; status: string }[] };
    expect(body.subgraphs.map((subgraph) => subgraph.status)).toEqual([
      'up',
      'up',
      'up',
      'up',
      'up',
    ]);
  });

  it('announces every data holder at start', () => {
    expect(Object.keys(system.holderUrls).sort()).toEqual([
      'civil-status',
      'education',
      'employment',
      'family-benefits',
      'tax',
    ]);
  });
});
