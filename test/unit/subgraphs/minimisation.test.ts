import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageOn, applyTransform, classOf, TransformError } from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE, namedPeople } from '../../../subgraphs/sandbox/index.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import { startTestHolder, type TestHolder } from './harness.js';

// Precision and history reduced by the data holder itself, with the
// parameters of the request's purpose, on the holder's date (2026-11-15).

describe('transforms', () => {
  it.each([
    [380, { index: 0, lowerBound: null, upperBound: 400 }],
    [400, { index: 1, lowerBound: 400, upperBound: 700 }],
    [699, { index: 1, lowerBound: 400, upperBound: 700 }],
    [1000, { index: 3, lowerBound: 1000, upperBound: null }],
  ])('puts %i in its bracket of [400, 700, 1000]', (value, bracket) => {
    expect(classOf([400, 700, 1000], value)).toEqual(bracket);
  });

  it.each([
    ['1968-03-12', '2026-11-15', 58],
    ['2006-11-15', '2026-11-15', 20],
    ['2006-11-16', '2026-11-15', 19],
    ['2008-02-29', '2026-02-28', 17],
    ['2008-02-29', '2026-03-01', 18],
  ])('counts the age of a person born %s on %s: %i', (birthDate, today, age) => {
    expect(ageOn(birthDate, today)).toBe(age);
  });

  it('reduces a date to its year, an address to its commune, an amount to a threshold', () => {
    expect(applyTransform({ kind: 'year' }, '1986-04-12', '2026-11-15')).toBe(1986);
    const commune = { code: '69266', name: 'Villeurbanne' };
    expect(applyTransform({ kind: 'commune' }, { line: '9 rue', commune }, '2026-11-15')).toBe(
      commune,
    );
    expect(applyTransform({ kind: 'threshold', threshold: 25_000 }, 25_000, '2026-11-15')).toBe(
      true,
    );
    expect(applyTransform({ kind: 'threshold', threshold: 25_000 }, 24_999, '2026-11-15')).toBe(
      false,
    );
  });

  it('refuses a source value of the wrong shape rather than guess', () => {
    expect(() => applyTransform({ kind: 'year' }, 1986, '2026-11-15')).toThrow(TransformError);
    expect(() => applyTransform({ kind: 'bracket', bounds: [1] }, '12', '2026-11-15')).toThrow(
      TransformError,
    );
    expect(() => applyTransform({ kind: 'commune' }, { line: 'x' }, '2026-11-15')).toThrow(
      TransformError,
    );
  });
});

describe('derived fields and windows, served by the data holders', () => {
  const holders: Partial<Record<string, TestHolder>> = {};
  const holder = (name: string): TestHolder => {
    const running = holders[name];
    if (running === undefined) throw new Error(`${name} not started`);
    return running;
  };

  beforeAll(async () => {
    const started = await Promise.all(
      (['civil-status', 'family-benefits', 'tax', 'employment', 'education'] as const).map((name) =>
        startTestHolder(name),
      ),
    );
    for (const running of started) holders[running.name] = running;
  });

  afterAll(async () => {
    await Promise.all(Object.values(holders).map((running) => running?.stop()));
  });

  const people = namedPeople(TEST_DATASET.asOf);
  const pivotIdentity = (person: (typeof people)[keyof typeof people]) =>
    `familyName: "${person.familyName}", givenNames: "${person.givenNames}", birthDate: "${person.birthDate}", birthPlaceCode: "${person.birthPlaceCode}"`;

  it('serves the birth year and the commune of residence, not the date or the address', async () => {
    const response = await holder('civil-status').query(
      `{ personsByPivotIdentity(${pivotIdentity(people.homonymBornInLyon)}) {
        familyName givenNames birthYear residenceCommune { code name } } }`,
      { purpose: 'identity-check' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      personsByPivotIdentity: [
        {
          familyName: 'Lemaître',
          givenNames: ['Jean-Pierre', 'Louis'],
          birthYear: 1968,
          residenceCommune: { code: '69266', name: 'Villeurbanne' },
        },
      ],
    });
  });

  it.each([
    ['birthDate', 'Person.birthDate', '1968-03-12'],
    ['address { line }', 'Person.address', 'rue Victor Hugo'],
  ])('refuses the source field %s to the same purpose', async (selection, coordinate, value) => {
    const response = await holder('civil-status').query(
      `{ personsByPivotIdentity(${pivotIdentity(people.homonymBornInLyon)}) { ${selection} } }`,
      { purpose: 'identity-check' },
    );
    expect(response.body.errors?.map((error) => error.extensions?.coordinate)).toEqual([
      coordinate,
    ]);
    expect(JSON.stringify(response.body)).not.toContain(value);
  });

  it.each([
    ['scholarshipStudent', { index: 1, lowerBound: 18, upperBound: 25 }],
    ['homonymBornInLyon', { index: 2, lowerBound: 25, upperBound: 60 }],
  ] as const)('serves the age band of %s on the holder date', async (key, ageBand) => {
    const response = await holder('civil-status').query(
      `{ personsByPivotIdentity(${pivotIdentity(people[key])}) { ageBand { index lowerBound upperBound } } }`,
      { purpose: 'age-band-check' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ personsByPivotIdentity: [{ ageBand }] });
  });

  it('serves the quotient of the current month only, reduced to its bracket', async () => {
    const response = await holder('family-benefits').query(
      `{ beneficiaryByFileNumber(fileNumber: "${NAMED_PEOPLE.singleParent.benefitsFileNumber}") {
        familyBenefits { familyQuotients { month valueBracket { index lowerBound upperBound } } } } }`,
      { purpose: 'canteen-pricing-brackets' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      beneficiaryByFileNumber: {
        familyBenefits: {
          familyQuotients: [
            { month: '2026-11', valueBracket: { index: 0, lowerBound: null, upperBound: 400 } },
          ],
        },
      },
    });
  });

  const taxQuery = (taxNumber: string, selection: string) =>
    `{ taxpayerByTaxNumber(taxNumber: "${taxNumber}") { taxHousehold { assessments { incomeYear ${selection} } } } }`;

  it('serves income year N-1 only, of three on file', async () => {
    const response = await holder('tax').query(
      taxQuery(NAMED_PEOPLE.taxpayerDeclarant.taxNumber, 'referenceTaxIncome numberOfShares'),
      { purpose: 'social-pricing-tax' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      taxpayerByTaxNumber: {
        taxHousehold: {
          assessments: [{ incomeYear: 2025, referenceTaxIncome: 76_400, numberOfShares: 2.5 }],
        },
      },
    });
  });

  it.each([
    ['taxpayerDeclarant', { index: 3, lowerBound: 60_000, upperBound: null }],
    ['jobseeker', { index: 1, lowerBound: 15_000, upperBound: 30_000 }],
  ] as const)('serves the income bracket of %s, not the income', async (key, bracket) => {
    const response = await holder('tax').query(
      taxQuery(
        NAMED_PEOPLE[key].taxNumber,
        'referenceTaxIncomeBracket { index lowerBound upperBound }',
      ),
      { purpose: 'tax-income-bracket' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      taxpayerByTaxNumber: {
        taxHousehold: { assessments: [{ incomeYear: 2025, referenceTaxIncomeBracket: bracket }] },
      },
    });
  });

  it('serves whether each income reaches the threshold, over the years of the window', async () => {
    const response = await holder('tax').query(
      taxQuery(NAMED_PEOPLE.canteenOpponent.taxNumber, 'referenceTaxIncomeAtLeast'),
      { purpose: 'tax-income-threshold' },
    );
    expect(response.body.errors).toBeUndefined();
    // Incomes 25,800 (2025), 25,100 (2024), 24,300 (2023) against 25,000.
    expect(response.body.data).toEqual({
      taxpayerByTaxNumber: {
        taxHousehold: {
          assessments: [
            { incomeYear: 2025, referenceTaxIncomeAtLeast: true },
            { incomeYear: 2024, referenceTaxIncomeAtLeast: true },
            { incomeYear: 2023, referenceTaxIncomeAtLeast: false },
          ],
        },
      },
    });
  });

  it('serves the benefit payments of the last 3 months only, of 8 on file', async () => {
    const response = await holder('employment').query<{
      jobseekerById: { jobseeker: { benefitPayments: { month: string }[] } };
    }>(
      `{ jobseekerById(jobseekerId: "${NAMED_PEOPLE.jobseeker.jobseekerId}") {
        jobseeker { currentRegistration { category startDate } benefitPayments { month } } } }`,
      { purpose: 'jobseeker-mobility' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.jobseekerById.jobseeker).toEqual({
      currentRegistration: { category: 1, startDate: '2026-02-14' },
      benefitPayments: [{ month: '2026-10' }, { month: '2026-09' }, { month: '2026-08' }],
    });
  });

  it('serves the enrolment of the current academic year only, of three on file', async () => {
    const response = await holder('education').query(
      `{ studentByNumber(studentNumber: "${NAMED_PEOPLE.scholarshipStudent.studentNumber}") {
        student { enrolments { academicYear enrolled } } } }`,
      { purpose: 'student-job' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      studentByNumber: { student: { enrolments: [{ academicYear: '2026-2027', enrolled: true }] } },
    });
  });

  it('serves the whole list when the grant has no window', async () => {
    const response = await holder('employment').query<{
      _entities: { jobseeker: { benefitPayments: unknown[] } }[];
    }>(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { jobseeker { benefitPayments { month } } } } }',
      {
        purpose: 'entity-batching',
        variables: { r: [{ __typename: 'Person', id: NAMED_PEOPLE.jobseeker.personId }] },
      },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?._entities[0]?.jobseeker.benefitPayments).toHaveLength(8);
  });
});
