import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import { purposeClaims } from '../../support/gatewayContext.js';
import { refusals, startTestHolder, TEST_REUSER, type TestHolder } from './harness.js';

// Data holders called directly, as the gateway calls them, with the context
// it signs: each holder enforces the purposes itself (deny by default).

const singleParentFile = NAMED_PEOPLE.singleParent.benefitsFileNumber;

let familyBenefits: TestHolder;
let tax: TestHolder;

beforeAll(async () => {
  [familyBenefits, tax] = await Promise.all([
    startTestHolder('family-benefits'),
    startTestHolder('tax'),
  ]);
});

afterAll(async () => {
  await Promise.all([familyBenefits.stop(), tax.stop()]);
});

const CURRENT_QUOTIENT = `{ beneficiaryByFileNumber(fileNumber: "${singleParentFile}") {
  familyBenefits { familyQuotient(month: "2026-11") { month value } } } }`;

describe('a request bound to a purpose', () => {
  it('gets the fields its purpose grants', async () => {
    const response = await familyBenefits.query(CURRENT_QUOTIENT, { purpose: 'canteen-pricing' });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      beneficiaryByFileNumber: {
        familyBenefits: { familyQuotient: { month: '2026-11', value: 380 } },
      },
    });
  });

  it.each([
    ['household members', 'members { role }', 'FamilyBenefitsFile.members'],
    ['the address', 'address { line }', 'FamilyBenefitsFile.address'],
    ['the file number', 'fileNumber', 'FamilyBenefitsFile.fileNumber'],
    ['a sensitive field', 'disabilityAllowance', 'FamilyBenefitsFile.disabilityAllowance'],
  ])(
    'is refused %s, which its purpose does not grant, with PURPOSE_FIELD_DENIED',
    async (_what, selection, coordinate) => {
      const response = await familyBenefits.query(
        `{ beneficiaryByFileNumber(fileNumber: "${singleParentFile}") { familyBenefits { ${selection} } } }`,
        { purpose: 'canteen-pricing' },
      );
      expect(refusals(response)).toEqual({ [coordinate]: 'PURPOSE_FIELD_DENIED' });
      const [error] = response.body.errors ?? [];
      expect(error?.extensions?.purpose).toBe('canteen-pricing');
      expect(error?.message).toContain(`Purpose "canteen-pricing" does not grant ${coordinate}`);
    },
  );

  it('never lets a refused value leave the data holder, even beside granted ones', async () => {
    const response = await familyBenefits.query(
      `{ beneficiaryByFileNumber(fileNumber: "${singleParentFile}") {
        familyBenefits { familyQuotients { month value } address { line communeName } } } }`,
      { purpose: 'canteen-pricing' },
    );
    const text = JSON.stringify(response.body);
    expect(text).not.toContain('rue des Tilleuls');
    expect(text).not.toContain('Amiens');
    expect(refusals(response)).toEqual({ 'FamilyBenefitsFile.address': 'PURPOSE_FIELD_DENIED' });
  });

  it('names the derived field to select when the purpose grants a value reduced', async () => {
    const response = await familyBenefits.query(
      `{ beneficiaryByFileNumber(fileNumber: "${singleParentFile}") { familyBenefits { familyQuotients { value } } } }`,
      { purpose: 'canteen-pricing-brackets' },
    );
    expect(refusals(response)).toEqual({ 'FamilyQuotient.value': 'PURPOSE_FIELD_DENIED' });
    expect(response.body.errors?.[0]?.message).toContain(
      'select FamilyQuotient.valueBracket instead',
    );
    expect(JSON.stringify(response.body)).not.toContain('380');
  });

  it('serves a sensitive field to a purpose citing a legal exception', async () => {
    const query = (fileNumber: string | undefined) =>
      familyBenefits.query<{ beneficiaryByFileNumber: { familyBenefits: unknown } }>(
        `{ beneficiaryByFileNumber(fileNumber: "${fileNumber}") { familyBenefits { disabilityAllowance } } }`,
        { purpose: 'disability-aid' },
      );
    const withAllowance = await query(NAMED_PEOPLE.minimumIncomeBeneficiary.benefitsFileNumber);
    expect(withAllowance.body.data?.beneficiaryByFileNumber.familyBenefits).toEqual({
      disabilityAllowance: true,
    });
    const without = await query(singleParentFile);
    expect(without.body.data?.beneficiaryByFileNumber.familyBenefits).toEqual({
      disabilityAllowance: false,
    });
  });

  it('keeps a resolver error its own code rather than a purpose refusal', async () => {
    const response = await familyBenefits.query(
      '{ beneficiaryByFileNumber(fileNumber: "12") { familyBenefits { familyQuotients { month } } } }',
      { purpose: 'canteen-pricing' },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('argument constraints', () => {
  it('refuses a month outside the purpose window with PURPOSE_ARGUMENT_DENIED', async () => {
    const response = await familyBenefits.query(CURRENT_QUOTIENT.replace('2026-11', '2026-10'), {
      purpose: 'canteen-pricing',
    });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('argument "month" in the current month; got "2026-10"'),
        extensions: expect.objectContaining({
          code: 'PURPOSE_ARGUMENT_DENIED',
          coordinate: 'FamilyBenefitsFile.familyQuotient',
          argument: 'month',
          purpose: 'canteen-pricing',
        }),
      }),
    ]);
    expect(JSON.stringify(response.body)).not.toContain('395');
  });

  it.each([
    [2025, true],
    [2024, false],
    [2026, false],
  ])('for income year N-1 only: incomeYear %i allowed: %s', async (incomeYear, allowed) => {
    const response = await tax.query<{
      taxpayerByTaxNumber: { taxHousehold: { assessment: { referenceTaxIncome: number } | null } };
    }>(
      `{ taxpayerByTaxNumber(taxNumber: "${NAMED_PEOPLE.singleParent.taxNumber}") {
        taxHousehold { assessment(incomeYear: ${incomeYear}) { referenceTaxIncome } } } }`,
      { purpose: 'social-pricing-tax' },
    );
    if (allowed) {
      expect(response.body.errors).toBeUndefined();
      expect(
        response.body.data?.taxpayerByTaxNumber.taxHousehold.assessment?.referenceTaxIncome,
      ).toBe(11_900);
    } else {
      expect(refusals(response)).toEqual({
        'TaxHousehold.assessment': 'PURPOSE_ARGUMENT_DENIED',
      });
    }
  });

  it('checks each alias on its own arguments', async () => {
    const response = await tax.query(
      `{ taxpayerByTaxNumber(taxNumber: "${NAMED_PEOPLE.singleParent.taxNumber}") { taxHousehold {
        lastYear: assessment(incomeYear: 2025) { incomeYear }
        before: assessment(incomeYear: 2024) { incomeYear } } } }`,
      { purpose: 'social-pricing-tax' },
    );
    expect(response.body.errors?.map((error) => error.path?.at(-1))).toEqual(['before']);
    expect(JSON.stringify(response.body.data)).toContain('"lastYear":{"incomeYear":2025}');
  });
});

describe('a request not bound to a usable purpose', () => {
  const field = 'Query.beneficiaryByFileNumber';
  it.each([
    [
      'an unknown purpose',
      purposeClaims('no-such-purpose', TEST_REUSER),
      'PURPOSE_UNKNOWN',
      'Purpose "no-such-purpose" is not in the policies of data holder family-benefits',
    ],
    [
      'a purpose for another data holder',
      purposeClaims('social-pricing-tax', TEST_REUSER),
      'PURPOSE_NOT_GRANTED',
      'may not reach data holder family-benefits',
    ],
    [
      'a purpose the re-user does not hold',
      purposeClaims('canteen-pricing', 'other-reuser'),
      'PURPOSE_NOT_GRANTED',
      'Re-user "other-reuser" does not hold purpose "canteen-pricing"',
    ],
    [
      'a purpose past its validity',
      purposeClaims('expired-purpose', TEST_REUSER),
      'PURPOSE_NOT_ACTIVE',
      'is not active on 2026-11-15',
    ],
  ])('is refused every field with %s', async (_case, claims, code, message) => {
    const response = await familyBenefits.queryAs(CURRENT_QUOTIENT, claims);
    expect(response.body.data).toEqual({ beneficiaryByFileNumber: null });
    expect(refusals(response)).toEqual({ [field]: code });
    expect(response.body.errors?.[0]?.message).toContain(message);
  });

  it('still gets the schema from _service, which the gateway composes with', async () => {
    const response = await familyBenefits.queryAs<{ _service: { sdl: string } }>(
      '{ _service { sdl } }',
      purposeClaims('no-such-purpose', TEST_REUSER),
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?._service.sdl).toContain('@window(by: "month", unit: "month")');
  });

  it('gets nothing from _entities', async () => {
    const response = await familyBenefits.queryAs<{ _entities: unknown[] }>(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { familyBenefits { fileNumber } } } }',
      purposeClaims('no-such-purpose', TEST_REUSER),
      { r: [{ __typename: 'Person', id: NAMED_PEOPLE.singleParent.personId }] },
    );
    expect(response.body.data?._entities).toEqual([{ familyBenefits: null }]);
    expect(refusals(response)).toEqual({ 'Person.familyBenefits': 'PURPOSE_UNKNOWN' });
  });
});

describe('entity resolution for the gateway', () => {
  it('answers _entities with the granted fields, and the key field', async () => {
    const response = await familyBenefits.query<{ _entities: unknown[] }>(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id familyBenefits { familyQuotients { month value } } } } }',
      {
        purpose: 'canteen-pricing',
        variables: { r: [{ __typename: 'Person', id: NAMED_PEOPLE.singleParent.personId }] },
      },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?._entities).toEqual([
      {
        id: NAMED_PEOPLE.singleParent.personId,
        familyBenefits: { familyQuotients: [{ month: '2026-11', value: 380 }] },
      },
    ]);
  });
});
