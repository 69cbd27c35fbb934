import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sampleRequest } from '../../gateway/cli/sampleQuery.js';
import { searchHolderAccessLog, verifyHolderAccessLog } from '../../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../../subgraphs/sandbox/index.js';
import { asReuser } from '../support/asReuser.js';
import '../support/context.js';
import { type GraphQLResponse, postGraphQL } from '../support/graphql.js';
import { TEST_DATASET } from '../support/sandboxDataset.js';
import { type RunningSystem, startSystem } from '../support/system.js';

// Every purpose of SCENARIOS.md, end to end, with the shipped policies
// (policies/) and the sandbox dataset as of 2026-11-15: the re-user's
// allowed query is served, with reduced precision where the purpose says so
// (birth year, commune, windowed lists); one field more and the whole
// request is refused, naming the field and the purpose.

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({ dataDir: inject('sandboxDataDir'), ...TEST_DATASET });
});

afterAll(async () => {
  expect(await system.stop()).toBe(0);
});

type Credentials = { reuser: string; purpose: string; reason?: string };

async function ask<Data = Record<string, unknown>>(
  credentials: Credentials,
  text: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<Data>> {
  const { reuser, purpose, reason } = credentials;
  return postGraphQL<Data>(
    system.gatewayUrl,
    text,
    variables,
    await asReuser(reuser, purpose, {
      audience: system.gatewayUrl,
      ...(reason === undefined ? {} : { reason }),
    }),
  );
}

/** Asserts the request was refused whole, and returns the denied coordinates. */
function deniedCoordinates(response: GraphQLResponse, purpose: string): string[] {
  expect(response.status).toBe(403);
  expect(response.body.data).toBeUndefined();
  const error = response.body.errors?.[0];
  expect(response.body.errors).toHaveLength(1);
  expect(error?.extensions?.code).toBe('PURPOSE_FIELD_DENIED');
  expect(error?.extensions?.purpose).toBe(purpose);
  expect(error?.extensions?.policyVersion).toBe(response.headers.get('passerelle-policy-version'));
  expect(error?.message).toContain(`"${purpose}"`);
  const denied = (error?.extensions?.denied ?? []) as { coordinate: string }[];
  const coordinates = [...new Set(denied.map((entry) => entry.coordinate))];
  for (const coordinate of coordinates) expect(error?.message).toContain(coordinate);
  return coordinates;
}

const MONTH = TEST_DATASET.asOf.slice(0, 7);
const { singleParent, scholarshipStudent, minimumIncomeBeneficiary, jobseeker } = NAMED_PEOPLE;
const { taxpayerDeclarant, homonymBornInLyon, homonymBornInRennes } = NAMED_PEOPLE;

const CANTEEN = { reuser: 'commune-de-bellerive', purpose: 'school-canteen-pricing' };
const TAX_PRICING = { reuser: 'commune-de-bellerive', purpose: 'social-pricing-tax-income' };

const CANTEEN_QUERY = /* GraphQL */ `
  query ($n: String!, $month: String!) {
    beneficiaryByFileNumber(fileNumber: $n) {
      familyBenefits { familyQuotient(month: $month) { month valueBracket { index upperBound } } }
    }
  }
`;

const TAX_QUERY = /* GraphQL */ `
  query ($n: String!) {
    taxpayerByTaxNumber(taxNumber: $n) {
      taxHousehold { assessments { incomeYear referenceTaxIncome numberOfShares } }
    }
  }
`;

describe('1. school canteen pricing (a commune)', () => {
  it("leaves a record in the data holder's own log, linked to the gateway's by request and trace ids", async () => {
    const response = await ask(CANTEEN, CANTEEN_QUERY, {
      n: singleParent.benefitsFileNumber,
      month: MONTH,
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('passerelle-request-id') ?? '';
    expect(requestId).not.toBe('');
    const location = { dataDir: inject('sandboxDataDir'), holder: 'family-benefits' as const };
    const records = await searchHolderAccessLog({ ...location, requestId });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      requestId,
      traceId: response.headers.get('passerelle-trace-id'),
      reuserId: CANTEEN.reuser,
      purposeId: CANTEEN.purpose,
      policyVersion: response.headers.get('passerelle-policy-version'),
      outcome: { status: 'served' },
    });
    expect(records[0]?.coordinates).toContain('FamilyQuotient.valueBracket');
    expect(records[0]?.subjectRefs).toHaveLength(1);
    expect(verifyHolderAccessLog(location)).toMatchObject({ ok: true });
  });

  it("serves this month's family quotient bracket, not the quotient", async () => {
    const response = await ask(CANTEEN, CANTEEN_QUERY, {
      n: singleParent.benefitsFileNumber,
      month: MONTH,
    });
    // A quotient of 380, below the commune's first bound (400): bracket 0.
    expect(response.body).toEqual({
      data: {
        beneficiaryByFileNumber: {
          familyBenefits: {
            familyQuotient: { month: MONTH, valueBracket: { index: 0, upperBound: 400 } },
          },
        },
      },
    });
  });

  it('refuses the quotient itself, pointing at the bracket', async () => {
    const response = await ask(
      CANTEEN,
      `query ($n: String!) { beneficiaryByFileNumber(fileNumber: $n) {
        familyBenefits { familyQuotient(month: "${MONTH}") { value } } } }`,
      { n: singleParent.benefitsFileNumber },
    );
    expect(deniedCoordinates(response, CANTEEN.purpose)).toEqual(['FamilyQuotient.value']);
    expect(response.body.errors?.[0]?.extensions?.denied).toEqual([
      expect.objectContaining({ hint: 'this purpose gets FamilyQuotient.valueBracket instead' }),
    ]);
  });

  it("refuses the household's children", async () => {
    const response = await ask(
      CANTEEN,
      `query ($n: String!) { beneficiaryByFileNumber(fileNumber: $n) {
        familyBenefits { familyQuotient(month: "${MONTH}") { month } children { givenNames } } } }`,
      { n: singleParent.benefitsFileNumber },
    );
    expect(deniedCoordinates(response, CANTEEN.purpose)).toEqual([
      'FamilyBenefitsFile.children',
      'Person.givenNames',
    ]);
  });

  it("refuses last month's quotient: the current month only", async () => {
    const response = await ask(CANTEEN, CANTEEN_QUERY, {
      n: singleParent.benefitsFileNumber,
      month: '2026-10',
    });
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'PURPOSE_ARGUMENT_DENIED',
      purpose: CANTEEN.purpose,
      arguments: [{ argument: 'month', allowed: `${MONTH} only` }],
    });
  });
});

describe('2. secondary-school grant (a département)', () => {
  const grant = { reuser: 'departement-de-la-haute-vallee', purpose: 'secondary-school-grant' };
  const children = (student: string) => /* GraphQL */ `
    query ($n: String!) { beneficiaryByFileNumber(fileNumber: $n) { familyBenefits {
      familyQuotient(month: "${MONTH}") { value }
      children { student { ${student} } } } } }`;

  it("serves the quotient and each child's enrolment and scholarship", async () => {
    const response = await ask<{
      beneficiaryByFileNumber: {
        familyBenefits: {
          familyQuotient: { value: number };
          children: { student: { currentScholarship: { level: number } | null } | null }[];
        };
      };
    }>(
      grant,
      children('currentEnrolment { enrolled } isScholarshipHolder currentScholarship { level }'),
      { n: singleParent.benefitsFileNumber },
    );
    expect(response.body.errors).toBeUndefined();
    const file = response.body.data?.beneficiaryByFileNumber.familyBenefits;
    expect(file?.familyQuotient.value).toBe(380);
    const levels = file?.children.map((child) => child.student?.currentScholarship?.level ?? null);
    expect(levels?.sort()).toEqual([2, null]);
  });

  it("refuses the child's school", async () => {
    const response = await ask(grant, children('currentEnrolment { institution { name } }'), {
      n: singleParent.benefitsFileNumber,
    });
    expect(deniedCoordinates(response, grant.purpose)).toEqual([
      'Enrolment.institution',
      'Institution.name',
    ]);
  });
});

describe('3. student transport fare (a transport authority)', () => {
  const fare = {
    reuser: 'syndicat-des-transports-de-bellerive',
    purpose: 'student-transport-fare',
  };

  it('serves the scholarship level and payment period', async () => {
    const response = await ask<{
      studentByNumber: {
        student: {
          isScholarshipHolder: boolean;
          currentScholarship: { level: number; paymentStart: string; paymentEnd: string };
        };
      };
    }>(
      fare,
      `query ($s: String!) { studentByNumber(studentNumber: $s) { student {
        isScholarshipHolder currentScholarship { level paymentStart paymentEnd } } } }`,
      { s: scholarshipStudent.studentNumber },
    );
    expect(response.body.errors).toBeUndefined();
    const student = response.body.data?.studentByNumber.student;
    expect(student?.isScholarshipHolder).toBe(true);
    expect(student?.currentScholarship.level).toBe(4);
    const { paymentStart = '', paymentEnd = '' } = student?.currentScholarship ?? {};
    expect(paymentStart < paymentEnd).toBe(true);
  });

  it("refuses the student's name and e-mail", async () => {
    const response = await ask(
      fare,
      `query ($s: String!) { studentByNumber(studentNumber: $s) { familyName student { email isScholarshipHolder } } }`,
      { s: scholarshipStudent.studentNumber },
    );
    expect(deniedCoordinates(response, fare.purpose)).toEqual([
      'Person.familyName',
      'Student.email',
    ]);
  });
});

describe('4. student job contract (a public employer)', () => {
  const job = { reuser: 'centre-hospitalier-de-bellerive', purpose: 'student-job-contract' };

  it("serves this academic year's enrolment only", async () => {
    const response = await ask<{
      studentByNumber: {
        student: {
          enrolments: { academicYear: string; enrolled: boolean; startDate: string }[];
        };
      };
    }>(
      job,
      `query ($s: String!) { studentByNumber(studentNumber: $s) { student {
        enrolments { academicYear enrolled startDate endDate } } } }`,
      { s: scholarshipStudent.studentNumber },
    );
    expect(response.body.errors).toBeUndefined();
    const enrolments = response.body.data?.studentByNumber.student.enrolments ?? [];
    expect(enrolments.map((enrolment) => enrolment.academicYear)).toEqual(['2026-2027']);
    expect(enrolments[0]?.enrolled).toBe(true);
  });

  it('refuses the scholarship', async () => {
    const response = await ask(
      job,
      `query ($s: String!) { studentByNumber(studentNumber: $s) { student { currentScholarship { level } } } }`,
      { s: scholarshipStudent.studentNumber },
    );
    expect(deniedCoordinates(response, job.purpose)).toEqual([
      'Student.currentScholarship',
      'Scholarship.level',
    ]);
  });
});

describe('5. municipal social aid (a social-action centre)', () => {
  const aid = {
    reuser: 'ccas-de-bellerive',
    purpose: 'municipal-social-aid',
    reason: 'aid-2026-117',
  };
  const MINIMUM_INCOME = `query ($n: String!) { beneficiaryByFileNumber(fileNumber: $n) {
    familyBenefits { minimumIncome { beneficiary since } } } }`;

  it('serves yes or no and since when, and nothing else', async () => {
    const response = await ask(aid, MINIMUM_INCOME, {
      n: minimumIncomeBeneficiary.benefitsFileNumber,
    });
    expect(response.body).toEqual({
      data: {
        beneficiaryByFileNumber: {
          familyBenefits: { minimumIncome: { beneficiary: true, since: '2024-11-01' } },
        },
      },
    });
  });

  it('refuses the family quotients (amounts)', async () => {
    const response = await ask(
      aid,
      `query ($n: String!) { beneficiaryByFileNumber(fileNumber: $n) {
        familyBenefits { minimumIncome { beneficiary } familyQuotients { value } } } }`,
      { n: minimumIncomeBeneficiary.benefitsFileNumber },
    );
    expect(deniedCoordinates(response, aid.purpose)).toEqual([
      'FamilyBenefitsFile.familyQuotients',
      'FamilyQuotient.value',
    ]);
  });

  it('requires the case reference the purpose asks for', async () => {
    const response = await ask({ ...aid, reason: undefined }, MINIMUM_INCOME, {
      n: minimumIncomeBeneficiary.benefitsFileNumber,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(response.body.errors?.[0]?.message).toContain('"reason" claim of the client assertion');
  });
});

describe('6. social pricing from tax income (a commune)', () => {
  it('serves income year N-1 only', async () => {
    const response = await ask<{
      taxpayerByTaxNumber: {
        taxHousehold: {
          assessments: { incomeYear: number; referenceTaxIncome: number }[];
        };
      };
    }>(TAX_PRICING, TAX_QUERY, { n: taxpayerDeclarant.taxNumber });
    expect(response.body.errors).toBeUndefined();
    const assessments = response.body.data?.taxpayerByTaxNumber.taxHousehold.assessments ?? [];
    expect(assessments.map((assessment) => assessment.incomeYear)).toEqual([2025]);
    expect(assessments[0]?.referenceTaxIncome).toBeGreaterThan(0);
  });

  it("refuses the family situation and the dependants' identities", async () => {
    const response = await ask(
      TAX_PRICING,
      `query ($n: String!) { taxpayerByTaxNumber(taxNumber: $n) { taxHousehold {
        assessments { incomeYear familySituation dependants { givenNames } } } } }`,
      { n: taxpayerDeclarant.taxNumber },
    );
    expect(deniedCoordinates(response, TAX_PRICING.purpose)).toEqual([
      'TaxAssessment.familySituation',
      'TaxAssessment.dependants',
      'Person.givenNames',
    ]);
  });
});

describe('7. jobseeker mobility aid (a region)', () => {
  const mobility = { reuser: 'region-val-de-lys', purpose: 'jobseeker-mobility-aid' };

  it('serves the registration and the last three months of payments', async () => {
    const response = await ask<{
      jobseekerById: {
        jobseeker: {
          currentRegistration: { category: number; startDate: string };
          benefitPayments: { month: string; amount: number }[];
        };
      };
    }>(
      mobility,
      `query ($id: String!) { jobseekerById(jobseekerId: $id) { jobseeker {
        currentRegistration { category startDate } benefitPayments { month amount } } } }`,
      { id: jobseeker.jobseekerId },
    );
    expect(response.body.errors).toBeUndefined();
    const file = response.body.data?.jobseekerById.jobseeker;
    expect(file?.currentRegistration.category).toBe(1);
    expect(file?.benefitPayments.map((payment) => payment.month).sort()).toEqual([
      '2026-08',
      '2026-09',
      '2026-10',
    ]);
  });

  it("refuses the jobseeker's identity", async () => {
    const response = await ask(
      mobility,
      `query ($id: String!) { jobseekerById(jobseekerId: $id) { familyName birthDate jobseeker { currentRegistration { category } } } }`,
      { id: jobseeker.jobseekerId },
    );
    expect(deniedCoordinates(response, mobility.purpose)).toEqual([
      'Person.familyName',
      'Person.birthDate',
    ]);
  });
});

describe('8. identity check for a benefit file (an administration)', () => {
  const identity = {
    reuser: 'mdph-de-la-haute-vallee',
    purpose: 'benefit-file-identity-check',
    reason: 'file-2026-0042',
  };
  const lookup = (fields: string) => /* GraphQL */ `
    query ($familyName: String!, $givenNames: String!, $birthDate: String!) {
      personsByPivotIdentity(familyName: $familyName, givenNames: $givenNames, birthDate: $birthDate) { ${fields} } }`;
  const pivot = {
    familyName: homonymBornInLyon.familyName,
    givenNames: homonymBornInLyon.givenNames,
    birthDate: homonymBornInLyon.birth.kind === 'fixed' ? homonymBornInLyon.birth.date : '',
  };

  it('serves names, the birth year and the commune of residence', async () => {
    const response = await ask<{
      personsByPivotIdentity: {
        familyName: string;
        birthYear: number;
        residenceCommune: { code: string; name: string };
      }[];
    }>(identity, lookup('givenNames familyName birthYear residenceCommune { code name }'), pivot);
    expect(response.body.errors).toBeUndefined();
    const persons = response.body.data?.personsByPivotIdentity ?? [];
    // The two homonyms, told apart by nothing this purpose may see but their communes.
    expect(persons).toHaveLength(2);
    for (const person of persons) {
      expect(person.familyName).toBe(homonymBornInLyon.familyName);
      expect(person.birthYear).toBe(Number(pivot.birthDate.slice(0, 4)));
      expect(person.residenceCommune.code).toMatch(/^\w{5}$/);
    }
    expect(homonymBornInRennes.familyName).toBe(homonymBornInLyon.familyName);
  });

  it('refuses the birth date and the street address, pointing at the reduced fields', async () => {
    const response = await ask(identity, lookup('familyName birthDate address { line }'), pivot);
    expect(deniedCoordinates(response, identity.purpose)).toEqual([
      'Person.birthDate',
      'Person.address',
      'Address.line',
    ]);
    const denied = response.body.errors?.[0]?.extensions?.denied as {
      coordinate: string;
      hint?: string;
    }[];
    expect(denied.find((entry) => entry.coordinate === 'Person.birthDate')?.hint).toBe(
      'this purpose gets Person.birthYear instead',
    );
    expect(denied.find((entry) => entry.coordinate === 'Person.address')?.hint).toBe(
      'this purpose gets Person.residenceCommune instead',
    );
  });
});

describe('one re-user, two purposes', () => {
  it('sees the family quotient under canteen pricing, not the tax income', async () => {
    const quotient = await ask(CANTEEN, CANTEEN_QUERY, {
      n: singleParent.benefitsFileNumber,
      month: MONTH,
    });
    expect(quotient.status).toBe(200);
    const tax = await ask(CANTEEN, TAX_QUERY, { n: taxpayerDeclarant.taxNumber });
    expect(deniedCoordinates(tax, CANTEEN.purpose)).toContain('Query.taxpayerByTaxNumber');
  });

  it('sees the tax income under social pricing, not the family quotient', async () => {
    const tax = await ask(TAX_PRICING, TAX_QUERY, { n: taxpayerDeclarant.taxNumber });
    expect(tax.status).toBe(200);
    const quotient = await ask(TAX_PRICING, CANTEEN_QUERY, {
      n: singleParent.benefitsFileNumber,
      month: MONTH,
    });
    expect(deniedCoordinates(quotient, TAX_PRICING.purpose)).toEqual([
      'Query.beneficiaryByFileNumber',
      'Person.familyBenefits',
      'FamilyBenefitsFile.familyQuotient',
      'FamilyQuotient.month',
      'FamilyQuotient.valueBracket',
      'AmountBracket.index',
      'AmountBracket.upperBound',
    ]);
  });
});

describe('the sample request `npm start` prints', () => {
  it('is allowed by its purpose and answers as the README says, with the printed assertion', async () => {
    // The launcher registered a sandbox key and printed a curl command using an assertion signed with it.
    const authorization = /-H 'Authorization: (Bearer [\w.-]+)'/.exec(system.output())?.[1];
    expect(authorization).toBeDefined();
    const sample = sampleRequest(TEST_DATASET.asOf, { authorization: authorization ?? '' });
    const response = await postGraphQL<{
      beneficiaryByFileNumber: {
        familyBenefits: {
          familyQuotient: { value: number };
          children: { student: { currentScholarship: { level: number } | null } | null }[];
        };
      };
    }>(system.gatewayUrl, sample.query, sample.variables, { ...sample.headers });
    expect(response.body.errors).toBeUndefined();
    const file = response.body.data?.beneficiaryByFileNumber.familyBenefits;
    expect(file?.familyQuotient.value).toBe(380);
    expect(file?.children.map((child) => child.student?.currentScholarship?.level)).toContain(2);
  });
});

describe('without a purpose', () => {
  it('answers introspection in the sandbox, and refuses data naming the credentials to send', async () => {
    const schema = await postGraphQL(system.gatewayUrl, '{ __schema { queryType { name } } }');
    expect(schema.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const data = await postGraphQL(system.gatewayUrl, CANTEEN_QUERY, {
      n: singleParent.benefitsFileNumber,
      month: MONTH,
    });
    expect(data.status).toBe(400);
    expect(data.body.errors?.[0]?.message).toContain('Authorization: Bearer');
  });
});
