import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicySet, PolicySchemaError } from '../../../policies/engine/index.js';
import {
  createPoliciesDir,
  type ExpectedProblem,
  expectOneError,
  FIXTURE_SUBGRAPHS,
  FIXTURE_SUPERGRAPH,
  lineOf,
  load,
  purposeYaml,
  reuserYaml,
  SCHEMA_COMMENT,
  validFiles,
} from './harness.js';

type Case = {
  name: string;
  files: Record<string, string>;
  marker: string;
  expected: Omit<ExpectedProblem, 'line'>;
};

/** Checks across keys and files: names, ids, dates, references. */
const cases: Case[] = [
  {
    name: 'a file not named after its id',
    files: { 'purposes/canteen-pricing.yaml': purposeYaml({ id: 'canteen' }) },
    marker: 'id: canteen',
    expected: {
      file: 'purposes/canteen-pricing.yaml',
      path: 'id',
      message: 'the file must be named after its id: rename it canteen.yaml, or change the id',
    },
  },
  {
    name: 'a re-user granted an unknown purpose, with the closest one',
    files: {
      'purposes/canteen.yaml': purposeYaml(),
      'reusers/commune-a.yaml': reuserYaml({
        purposes: '  - { purpose: canteens, validFrom: 2026-01-01, validUntil: 2026-06-30 }',
      }),
    },
    marker: 'canteens',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'purposes.0.purpose',
      message: 'unknown purpose canteens: no policies/purposes/canteens.yaml',
      suggestion: 'did you mean canteen?',
    },
  },
  {
    name: 'a purpose whose validity dates are inverted',
    files: {
      'purposes/canteen.yaml': purposeYaml().replace(
        'validFrom: 2026-01-01',
        'validFrom: 2027-01-01',
      ),
    },
    marker: 'validUntil',
    expected: {
      file: 'purposes/canteen.yaml',
      path: 'validUntil',
      message: 'validUntil 2026-12-31 is before validFrom 2027-01-01',
    },
  },
  {
    name: 'a re-user authorisation whose dates are inverted',
    files: {
      'purposes/canteen.yaml': purposeYaml(),
      'reusers/commune-a.yaml': reuserYaml({
        purposes: '  - purpose: canteen\n    validFrom: 2026-06-01\n    validUntil: 2026-05-31',
      }),
    },
    marker: 'validUntil: 2026-05-31',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'purposes.0.validUntil',
      message: 'validUntil 2026-05-31 is before validFrom 2026-06-01',
    },
  },
  {
    name: 'a re-user authorisation starting before the purpose',
    files: {
      'purposes/canteen.yaml': purposeYaml(),
      'reusers/commune-a.yaml': reuserYaml({
        purposes: '  - purpose: canteen\n    validFrom: 2025-12-01\n    validUntil: 2026-05-31',
      }),
    },
    marker: 'validFrom: 2025-12-01',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'purposes.0.validFrom',
      message: 'validFrom 2025-12-01 is before purpose canteen starts (2026-01-01)',
    },
  },
  {
    name: 'a re-user authorisation ending after the purpose',
    files: {
      'purposes/canteen.yaml': purposeYaml(),
      'reusers/commune-a.yaml': reuserYaml({
        purposes: '  - purpose: canteen\n    validFrom: 2026-01-01\n    validUntil: 2027-01-31',
      }),
    },
    marker: 'validUntil: 2027-01-31',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'purposes.0.validUntil',
      message: 'validUntil 2027-01-31 is after purpose canteen ends (2026-12-31)',
    },
  },
  {
    name: 'a purpose listed twice for one re-user',
    files: {
      'purposes/canteen.yaml': purposeYaml(),
      'reusers/commune-a.yaml': reuserYaml({
        purposes: [
          '  - { purpose: canteen, validFrom: 2026-01-01, validUntil: 2026-03-31 }',
          '  - { purpose: canteen, validFrom: 2026-04-01, validUntil: 2026-06-30 } # again',
        ].join('\n'),
      }),
    },
    marker: '# again',
    expected: {
      file: 'reusers/commune-a.yaml',
      path: 'purposes.1.purpose',
      message: 'purpose canteen is listed twice',
    },
  },
];

describe('checking policy files together', () => {
  it.each(cases)('refuses $name', ({ files, marker, expected }) => {
    expectOneError(files, { ...expected, line: lineOf(files[expected.file] ?? '', marker) });
  });

  it('refuses a duplicate id, naming the file that has it first', () => {
    const files = {
      'purposes/canteen.yaml': purposeYaml(),
      'purposes/copy.yaml': purposeYaml({ id: 'canteen' }),
    };
    const result = load(files);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: 'id',
        message: 'the file must be named after its id: rename it canteen.yaml, or change the id',
      },
      {
        path: 'id',
        message: `purpose id canteen is already used by ${join(result.dir, 'purposes/canteen.yaml')}`,
      },
    ]);
    expect(
      result.problems.every((problem) => problem.file === join(result.dir, 'purposes/copy.yaml')),
    ).toBe(true);
  });

  it('does not call a purpose unknown when its own file is invalid', () => {
    const result = load({
      'purposes/canteen.yaml': purposeYaml({ extra: 'retension: P1Y' }),
      'reusers/commune-a.yaml': reuserYaml(),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.path)).toEqual(['retension']);
  });

  it('warns about a file without the schema comment, or ending in .yml', () => {
    const result = load({
      'purposes/canteen.yaml': purposeYaml().replace(`${SCHEMA_COMMENT.purpose}\n`, ''),
      'reusers/commune-a.yml': reuserYaml(),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(result.warnings.map(({ file, line, message }) => ({ file, line, message }))).toEqual([
      {
        file: join(result.dir, 'purposes/canteen.yaml'),
        line: 1,
        message:
          'start the file with "# yaml-language-server: $schema=../schema/purpose.schema.json" so that editors complete and check it',
      },
      {
        file: join(result.dir, 'reusers/commune-a.yml'),
        line: undefined,
        message: 'ignored: policy files end in .yaml',
      },
    ]);
  });

  it('produces an immutable set of purposes and re-users', () => {
    const result = load(validFiles());
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const { policySet } = result;
    expect([...policySet.purposes.keys()]).toEqual(['canteen']);
    expect(policySet.reusers.get('commune-a')).toMatchObject({
      organisationNumber: '21000000000011',
      purposes: [{ purpose: 'canteen', validFrom: '2026-01-01', validUntil: '2026-06-30' }],
      source: { file: join(result.dir, 'reusers/commune-a.yaml') },
    });
    const purpose = policySet.purposes.get('canteen');
    expect(purpose?.mode).toBe('reject');
    expect(Object.isFrozen(purpose)).toBe(true);
    expect(Object.isFrozen(purpose?.limits)).toBe(true);
    expect(Object.isFrozen(purpose?.grants.get('FamilyQuotient.value'))).toBe(true);
  });
});

describe('a policies folder that cannot be read', () => {
  it('is a located problem for each missing folder, not an exception', () => {
    const dir = join(tmpdir(), 'passerelle-no-such-policies');
    const result = loadPolicySet({
      dir,
      schemaSdl: FIXTURE_SUPERGRAPH,
      scope: { kind: 'supergraph' },
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          file: join(dir, 'purposes'),
          path: '',
          message: 'cannot read the purposes folder: ENOENT',
        },
        { file: join(dir, 'reusers'), path: '', message: 'cannot read the reusers folder: ENOENT' },
      ],
    });
  });

  it('throws a typed error when the schema is not a supergraph', () => {
    expect(() =>
      loadPolicySet({
        dir: createPoliciesDir(validFiles()),
        schemaSdl: FIXTURE_SUBGRAPHS['family-benefits'],
        scope: { kind: 'supergraph' },
      }),
    ).toThrow(PolicySchemaError);
  });
});
