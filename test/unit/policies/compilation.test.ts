import { describe, expect, it } from 'vitest';
import type { CompiledPurpose, PolicyScope } from '../../../policies/engine/index.js';
import {
  type ExpectedProblem,
  expectOneError,
  FIXTURE_SUBGRAPHS,
  lineOf,
  load,
  purposeYaml,
} from './harness.js';

const PURPOSE = 'purposes/canteen.yaml';

type Case = {
  name: string;
  grants: string;
  holders?: string[];
  extra?: string;
  marker: string;
  expected: Omit<ExpectedProblem, 'line' | 'file'>;
};

/** Errors found by compiling a purpose against the (fixture) supergraph. */
const cases: Case[] = [
  {
    name: 'misspelt field, with the closest field of the type',
    grants: '  FamilyQuotient.valeu: {}',
    marker: 'valeu',
    expected: {
      path: 'grants.FamilyQuotient.valeu',
      message: 'unknown field FamilyQuotient.valeu: the schema has no such field',
      suggestion: 'did you mean FamilyQuotient.value?',
    },
  },
  {
    name: 'misspelt type, with the closest coordinate',
    grants: '  FamilyQuotent.value: {}',
    marker: 'FamilyQuotent',
    expected: {
      path: 'grants.FamilyQuotent.value',
      message: 'unknown field FamilyQuotent.value: the schema has no such field',
      suggestion: 'did you mean FamilyQuotient.value?',
    },
  },
  {
    name: 'the internal join key Person.id',
    grants: '  Person.id: {}',
    marker: 'Person.id',
    expected: {
      path: 'grants.Person.id',
      message:
        'Person.id is the internal join key between data holders: it is never granted (re-users address persons by pivot identity or sector identifier)',
    },
  },
  {
    name: 'a derived field granted directly',
    grants: '  FamilyQuotient.valueBracket: {}',
    marker: 'valueBracket',
    expected: {
      path: 'grants.FamilyQuotient.valueBracket',
      message:
        'FamilyQuotient.valueBracket is derived from FamilyQuotient.value: grant FamilyQuotient.value with transform: bracket (its parameters live in the grant)',
    },
  },
  {
    name: 'a transform the field has no derived field for',
    grants: '  FamilyQuotient.value: { transform: { threshold: 500 } }',
    marker: 'threshold',
    expected: {
      path: 'grants.FamilyQuotient.value.transform',
      message:
        'FamilyQuotient.value has no derived field for transform threshold: it supports bracket (FamilyQuotient.valueBracket)',
    },
  },
  {
    name: 'a transform on a field with no derived field at all',
    grants: '  FamilyQuotient.month: { transform: year }',
    marker: 'FamilyQuotient.month',
    expected: {
      path: 'grants.FamilyQuotient.month.transform',
      message:
        'FamilyQuotient.month has no derived field for transform year: it supports no transform (no field of FamilyQuotient declares @reduces(field: "month", transform: ...))',
    },
  },
  {
    name: 'a window on a field without @window',
    grants: '  FamilyBenefitsFile.fileNumber: { window: { unit: month, from: 0, to: 0 } }',
    marker: 'fileNumber',
    expected: {
      path: 'grants.FamilyBenefitsFile.fileNumber.window',
      message:
        'FamilyBenefitsFile.fileNumber has no @window in the schema: a window limits only dated list fields declared with @window(by:, unit:)',
    },
  },
  {
    name: 'a window in another unit than the field is dated by',
    grants: '  FamilyBenefitsFile.familyQuotients: { window: { unit: year, from: -1, to: 0 } }',
    marker: 'familyQuotients',
    expected: {
      path: 'grants.FamilyBenefitsFile.familyQuotients.window.unit',
      message:
        "FamilyBenefitsFile.familyQuotients is dated by month (its items' month): write the window in unit: month",
    },
  },
  {
    name: 'a sensitive field without a cited exception',
    grants: '  FamilyBenefitsFile.disabilityAllowance: {}',
    marker: 'disabilityAllowance',
    expected: {
      path: 'grants.FamilyBenefitsFile.disabilityAllowance',
      message:
        'FamilyBenefitsFile.disabilityAllowance is sensitive data (health): a purpose grants it only when sensitiveDataException cites the legal exception that allows it (DOMAIN.md M5)',
    },
  },
  {
    name: 'a field served by a holder the purpose does not declare',
    grants: '  TaxAssessment.referenceTaxIncome: {}',
    marker: 'referenceTaxIncome',
    expected: {
      path: 'grants.TaxAssessment.referenceTaxIncome',
      message:
        'TaxAssessment.referenceTaxIncome is served by tax, which this purpose does not declare in holders (family-benefits)',
    },
  },
  {
    name: 'a derived field served by a holder the purpose does not declare',
    grants: '  Person.birthDate: { transform: year }',
    marker: 'birthDate',
    expected: {
      path: 'grants.Person.birthDate',
      message:
        'Person.birthDate (as Person.birthYear) is served by civil-status, which this purpose does not declare in holders (family-benefits)',
    },
  },
  {
    name: 'a constraint on an argument the field does not have',
    grants:
      '  FamilyBenefitsFile.familyQuotient: { args: { mont: { window: { unit: month, from: 0, to: 0 } } } }',
    marker: 'mont',
    expected: {
      path: 'grants.FamilyBenefitsFile.familyQuotient.args.mont',
      message: 'FamilyBenefitsFile.familyQuotient has no argument "mont" (its arguments: month)',
      suggestion: 'did you mean month?',
    },
  },
  {
    name: 'allowed values of the wrong type for the argument',
    grants: "  FamilyBenefitsFile.childCount: { args: { minimumAge: { oneOf: [3, 'six'] } } }",
    marker: 'childCount',
    expected: {
      path: 'grants.FamilyBenefitsFile.childCount.args.minimumAge.oneOf.1',
      message: '"six" is not a valid Int for argument minimumAge of FamilyBenefitsFile.childCount',
    },
  },
  {
    name: 'allowed values outside the argument enum',
    holders: ['civil-status'],
    grants: '  Query.personsByPivotIdentity: { args: { sex: { oneOf: [F, X] } } }',
    marker: 'personsByPivotIdentity',
    expected: {
      path: 'grants.Query.personsByPivotIdentity.args.sex.oneOf.1',
      message:
        '"X" is not a valid Sex for argument sex of Query.personsByPivotIdentity (values: F, M)',
    },
  },
];

describe('compiling a purpose against the supergraph', () => {
  it.each(cases)('refuses $name', ({ grants, holders, extra, marker, expected }) => {
    const text = purposeYaml({
      grants,
      ...(holders === undefined ? {} : { holders }),
      ...(extra === undefined ? {} : { extra }),
    });
    expectOneError({ [PURPOSE]: text }, { ...expected, file: PURPOSE, line: lineOf(text, marker) });
  });

  it('grants a sensitive field when the purpose cites an exception', () => {
    const purpose = compiled({
      grants: '  FamilyBenefitsFile.disabilityAllowance: {}',
      extra: 'sensitiveDataException: Code de la santé publique, art. L. 1110-4',
    });
    expect(
      purpose.selectable.get('FamilyBenefitsFile.disabilityAllowance')?.sensitiveCategory,
    ).toBe('health');
  });

  it('makes the derived field selectable in place of its source, with the grant’s parameters', () => {
    const purpose = compiled({
      holders: ['civil-status', 'family-benefits'],
      grants: [
        '  Person.birthDate: { transform: year }',
        '  FamilyQuotient.value: { transform: { bracket: [400, 700, 1000] } }',
        '  AmountBracket.index: {}',
      ].join('\n'),
    });
    expect([...purpose.selectable.keys()]).toEqual([
      'Person.birthYear',
      'FamilyQuotient.valueBracket',
      'AmountBracket.index',
    ]);
    expect(purpose.selectable.get('FamilyQuotient.valueBracket')).toEqual({
      coordinate: 'FamilyQuotient.valueBracket',
      holder: 'family-benefits',
      grant: {
        coordinate: 'FamilyQuotient.value',
        transform: { kind: 'bracket', bounds: [400, 700, 1000] },
      },
      transform: { kind: 'bracket', bounds: [400, 700, 1000] },
    });
    expect(purpose.selectable.get('Person.birthYear')?.holder).toBe('civil-status');
  });

  it('serves a value type shared by several holders from a declared one', () => {
    const purpose = compiled({
      holders: ['tax'],
      grants: [
        '  TaxAssessment.referenceTaxIncome: { transform: { bracket: [15000, 30000] } }',
        '  AmountBracket.index: {}',
      ].join('\n'),
    });
    expect(purpose.selectable.get('AmountBracket.index')?.holder).toBe('tax');
  });

  it('records the item field a windowed list is dated by', () => {
    const purpose = compiled({
      grants: '  FamilyBenefitsFile.familyQuotients: { window: { unit: month, from: -2, to: 0 } }',
    });
    expect(purpose.selectable.get('FamilyBenefitsFile.familyQuotients')).toMatchObject({
      periodField: 'month',
      grant: { window: { unit: 'month', from: -2, to: 0 } },
    });
  });

  it.each([
    {
      name: 'a dated list granted without a window',
      grants: '  FamilyBenefitsFile.familyQuotients: {}',
      path: 'grants.FamilyBenefitsFile.familyQuotients',
      message: /is a dated list granted without a window: the re-user gets its whole history/,
    },
    {
      name: 'a holder that serves no granted field',
      holders: ['family-benefits', 'tax'],
      grants: '  FamilyQuotient.value: {}',
      path: 'holders.1',
      message: 'holder tax serves none of the granted fields: remove it',
    },
    {
      name: 'an exception cited while no sensitive field is granted',
      grants: '  FamilyQuotient.value: {}',
      extra: 'sensitiveDataException: Code de la santé publique, art. L. 1110-4',
      path: 'sensitiveDataException',
      message: 'no sensitive field is granted: remove the sensitiveDataException',
    },
  ])('warns about $name, and still loads', ({ holders, grants, extra, path, message }) => {
    const result = load({
      [PURPOSE]: purposeYaml({
        grants,
        ...(holders === undefined ? {} : { holders }),
        ...(extra === undefined ? {} : { extra }),
      }),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ path, severity: 'warning' });
    expect(result.warnings[0]?.message).toMatch(message);
  });
});

describe('compiling a purpose against one holder’s subgraph', () => {
  const familyBenefits: PolicyScope = { kind: 'holder', holder: 'family-benefits' };
  const grants = [
    '  Query.beneficiaryByFileNumber: {}',
    '  Person.familyBenefits: {}',
    '  Person.birthDate: { transform: year }',
    '  FamilyQuotient.value: { transform: { bracket: [400, 700] } }',
  ].join('\n');

  it('keeps the fields this holder serves and skips the others silently', () => {
    const result = load(
      { [PURPOSE]: purposeYaml({ holders: ['civil-status', 'family-benefits'], grants }) },
      familyBenefits,
      FIXTURE_SUBGRAPHS['family-benefits'],
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const purpose = result.policySet.purposes.get('canteen');
    expect([...(purpose?.selectable.keys() ?? [])]).toEqual([
      'Query.beneficiaryByFileNumber',
      'Person.familyBenefits',
      'FamilyQuotient.valueBracket',
    ]);
    expect(new Set([...(purpose?.selectable.values() ?? [])].map((field) => field.holder))).toEqual(
      new Set(['family-benefits']),
    );
  });

  it('serves nothing to a purpose that does not declare the holder', () => {
    const result = load(
      {
        [PURPOSE]: purposeYaml({
          holders: ['civil-status'],
          grants: '  Person.birthDate: { transform: year }\n  Person.familyBenefits: {}',
        }),
      },
      familyBenefits,
      FIXTURE_SUBGRAPHS['family-benefits'],
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(result.policySet.purposes.get('canteen')?.selectable.size).toBe(0);
  });

  it('still refuses a bad grant on a field the holder serves', () => {
    const text = purposeYaml({ grants: '  FamilyBenefitsFile.disabilityAllowance: {}' });
    expectOneError(
      { [PURPOSE]: text },
      {
        file: PURPOSE,
        line: lineOf(text, 'disabilityAllowance'),
        path: 'grants.FamilyBenefitsFile.disabilityAllowance',
        message: /is sensitive data \(health\)/,
      },
      familyBenefits,
      FIXTURE_SUBGRAPHS['family-benefits'],
    );
  });
});

function compiled(options: Parameters<typeof purposeYaml>[0]): CompiledPurpose {
  const result = load({ [PURPOSE]: purposeYaml(options) });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  const purpose = result.policySet.purposes.get('canteen');
  if (purpose === undefined) throw new Error('purpose canteen not compiled');
  return purpose;
}
