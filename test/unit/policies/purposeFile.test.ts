import { describe, expect, it } from 'vitest';
import {
  type ExpectedProblem,
  expectOneError,
  lineOf,
  load,
  purposeYaml,
  reuserYaml,
} from './harness.js';

const PURPOSE = 'purposes/canteen.yaml';

/** A purpose whose grants are `grants`, with a re-user holding it. */
function withGrants(grants: string): Record<string, string> {
  return { [PURPOSE]: purposeYaml({ grants }), 'reusers/commune-a.yaml': reuserYaml() };
}

type Case = {
  name: string;
  files: Record<string, string>;
  marker: string;
  expected: Omit<ExpectedProblem, 'line'>;
};

/** Errors found while reading one file: YAML syntax and the file schema. */
const cases: Case[] = [
  {
    name: 'YAML syntax error',
    files: withGrants('  FamilyQuotient.value: {\n  FamilyQuotient.month: {}'),
    marker: 'FamilyQuotient.month',
    expected: { file: PURPOSE, path: '', message: /^YAML syntax error: / },
  },
  {
    name: 'duplicate key (YAML maps have unique keys)',
    files: withGrants('  FamilyQuotient.value: {}\n  FamilyQuotient.value: {} # again'),
    marker: '# again',
    expected: { file: PURPOSE, path: '', message: 'YAML syntax error: Map keys must be unique' },
  },
  {
    name: 'unknown top-level key, with the closest known one',
    files: { [PURPOSE]: purposeYaml({ extra: 'retension: P1Y' }) },
    marker: 'retension',
    expected: {
      file: PURPOSE,
      path: 'retension',
      message: 'unknown key "retension"',
      suggestion: 'did you mean retention?',
    },
  },
  {
    name: 'unknown key inside a grant',
    files: withGrants('  FamilyQuotient.value: { transfrom: year }'),
    marker: 'transfrom',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient.value.transfrom',
      message: 'unknown key "transfrom"',
      suggestion: 'did you mean transform?',
    },
  },
  {
    name: 'unknown transform name, listing the known ones',
    files: withGrants('  Person.birthDate: { transform: decade }'),
    marker: 'decade',
    expected: {
      file: PURPOSE,
      path: 'grants.Person.birthDate.transform',
      message:
        'unknown transform "decade"; known transforms: year, commune, bracket, ageBand, threshold',
    },
  },
  {
    name: 'misspelt parametric transform',
    files: withGrants('  FamilyQuotient.value: { transform: { braket: [400, 700] } }'),
    marker: 'braket',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient.value.transform.braket',
      message:
        'unknown transform "braket"; known transforms: year, commune, bracket, ageBand, threshold',
      suggestion: 'did you mean bracket?',
    },
  },
  {
    name: 'parametric transform written without its parameter',
    files: withGrants('  FamilyQuotient.value: { transform: bracket }'),
    marker: 'bracket',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient.value.transform',
      message: 'transform bracket takes a parameter: write transform: { bracket: ... }',
    },
  },
  {
    name: 'two transforms in one grant',
    files: withGrants('  FamilyQuotient.value: { transform: { bracket: [400], threshold: 500 } }'),
    marker: 'threshold',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient.value.transform',
      message:
        "a transform object has exactly one key, the transform's name (bracket, ageBand, threshold); found bracket, threshold",
    },
  },
  {
    name: 'bracket bounds not strictly ascending',
    files: withGrants('  FamilyQuotient.value: { transform: { bracket: [400, 700, 700] } }'),
    marker: 'bracket',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient.value.transform.bracket.2',
      message: 'bounds must be strictly ascending: 700 comes after 700',
    },
  },
  {
    name: 'window whose from is after its to',
    files: withGrants(
      '  FamilyBenefitsFile.familyQuotients: { window: { unit: month, from: 0, to: -2 } }',
    ),
    marker: 'familyQuotients',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyBenefitsFile.familyQuotients.window.to',
      message: 'from must not be after to',
    },
  },
  {
    name: 'window bound that is not a whole number',
    files: withGrants(
      '  FamilyBenefitsFile.familyQuotients: { window: { unit: month, from: -1.5, to: 0 } }',
    ),
    marker: 'familyQuotients',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyBenefitsFile.familyQuotients.window.from',
      message: 'expected a whole number of periods relative to the current one',
    },
  },
  {
    name: 'argument constraint with both window and oneOf',
    files: withGrants(
      '  FamilyBenefitsFile.familyQuotient:\n    args: { month: { oneOf: ["2026-01"], window: { unit: month, from: 0, to: 0 } } }',
    ),
    marker: 'args',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyBenefitsFile.familyQuotient.args.month',
      message: 'an argument constraint has exactly one key: window or oneOf',
    },
  },
  {
    name: 'grant left empty instead of {}',
    files: withGrants('  FamilyQuotient.value:'),
    marker: 'FamilyQuotient.value',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient.value',
      message: 'expected a grant: {} to grant the field as is, or { transform, window, args }',
    },
  },
  {
    name: 'grant key that is not a coordinate',
    files: withGrants('  FamilyQuotient: {}'),
    marker: 'FamilyQuotient',
    expected: {
      file: PURPOSE,
      path: 'grants.FamilyQuotient',
      message: 'expected a schema coordinate written Type.field, e.g. FamilyQuotient.value',
    },
  },
  {
    name: 'misspelt enumerated value',
    files: { [PURPOSE]: purposeYaml({ extra: 'mode: rejct' }) },
    marker: 'rejct',
    expected: {
      file: PURPOSE,
      path: 'mode',
      message: '"rejct" is not one of: reject, filter, dry-run',
      suggestion: 'did you mean reject?',
    },
  },
  {
    name: 'unknown data holder',
    files: { [PURPOSE]: purposeYaml({ holders: ['family-benefit'] }) },
    marker: 'holders',
    expected: {
      file: PURPOSE,
      path: 'holders.0',
      message:
        '"family-benefit" is not one of: civil-status, family-benefits, tax, employment, education',
      suggestion: 'did you mean family-benefits?',
    },
  },
  {
    name: 'date not written YYYY-MM-DD',
    files: { [PURPOSE]: purposeYaml().replace('validUntil: 2026-12-31', 'validUntil: 31/12/2026') },
    marker: 'validUntil',
    expected: {
      file: PURPOSE,
      path: 'validUntil',
      message: 'expected a date written YYYY-MM-DD, e.g. 2026-09-01',
    },
  },
  {
    name: 'missing required key',
    files: { [PURPOSE]: purposeYaml().replace('retention: P1Y\n', '') },
    // The root map starts at the first key, below the schema comment.
    marker: 'id: canteen',
    expected: { file: PURPOSE, path: '', message: 'missing required key "retention"' },
  },
  {
    name: 'unknown traceability claim',
    files: {
      [PURPOSE]: purposeYaml().replace(
        'requiredClaims: [agent]',
        'requiredClaims: [agent, reasons]',
      ),
    },
    marker: 'requiredClaims',
    expected: {
      file: PURPOSE,
      path: 'traceability.requiredClaims.1',
      message: '"reasons" is not one of: agent, reason',
      suggestion: 'did you mean reason?',
    },
  },
  {
    name: 're-user organisation number that is not a SIRET',
    files: {
      [PURPOSE]: purposeYaml(),
      'reusers/commune-a.yaml': reuserYaml().replace("'21000000000011'", "'2100000000001'"),
    },
    marker: 'organisationNumber',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'organisationNumber',
      message: 'expected a SIRET number: 14 digits, no spaces',
    },
  },
  {
    name: 're-user allowed address that is not an IP or range',
    files: {
      [PURPOSE]: purposeYaml(),
      'reusers/commune-a.yaml': `${reuserYaml()}allowedIps: [203.0.113.0/24, 203.0.113.300]\n`,
    },
    marker: 'allowedIps',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'allowedIps.1',
      message: 'expected an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24',
    },
  },
];

describe('reading policy files', () => {
  it.each(cases)('$name', ({ files, marker, expected }) => {
    const text = files[expected.file] ?? '';
    expectOneError(files, { ...expected, line: lineOf(text, marker) });
  });

  it('points at the line and column of the offending key', () => {
    const text = purposeYaml({ extra: 'retension: P1Y' });
    const error = expectOneError(
      { [PURPOSE]: text },
      {
        file: PURPOSE,
        path: 'retension',
        message: 'unknown key "retension"',
        suggestion: 'did you mean retention?',
      },
    );
    expect(error.column).toBe(1);
    expect(error.line).toBe(text.split('\n').length - 1);
  });

  it('reports every problem of a file at once', () => {
    const result = load({
      [PURPOSE]: purposeYaml({ extra: 'mode: rejct\nretension: P1Y' }).replace(
        'stage: sandbox',
        'stage: live',
      ),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.path)).toEqual(['stage', 'mode', 'retension']);
  });

  it('reads the short and the long forms of every transform into the model', () => {
    const result = load({
      [PURPOSE]: purposeYaml({
        holders: ['civil-status', 'family-benefits', 'tax'],
        grants: [
          '  Query.personsByPivotIdentity: {}',
          '  Person.birthDate: { transform: year }',
          '  Person.address: { transform: commune }',
          '  Commune.code: {}',
          '  FamilyQuotient.value: { transform: { bracket: [400, 700, 1000] } }',
          '  TaxAssessment.referenceTaxIncome: { transform: { threshold: 22823 } }',
          '  FamilyBenefitsFile.familyQuotient:',
          "    args: { month: { oneOf: ['2026-01', '2026-02'] } }",
        ].join('\n'),
      }),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const grants = result.policySet.purposes.get('canteen')?.grants;
    expect(grants?.get('Person.birthDate')?.transform).toEqual({ kind: 'year' });
    expect(grants?.get('Person.address')?.transform).toEqual({ kind: 'commune' });
    expect(grants?.get('FamilyQuotient.value')?.transform).toEqual({
      kind: 'bracket',
      bounds: [400, 700, 1000],
    });
    expect(grants?.get('TaxAssessment.referenceTaxIncome')?.transform).toEqual({
      kind: 'threshold',
      threshold: 22823,
    });
    expect(grants?.get('FamilyBenefitsFile.familyQuotient')?.args).toEqual({
      month: { kind: 'oneOf', values: ['2026-01', '2026-02'] },
    });
  });
});
