import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policiesDirOf } from '../../../policies/engine/defaultPoliciesDir.js';
import { DEFAULT_POLICIES_DIR, formatProblems } from '../../../policies/engine/index.js';

describe('formatProblems', () => {
  it('writes one file:line:column line per problem, relative to the working directory', () => {
    const text = formatProblems([
      {
        file: join(process.cwd(), 'policies/purposes/x.yaml'),
        line: 12,
        column: 5,
        path: 'grants.FamilyQuotient.valeu',
        message: 'unknown field FamilyQuotient.valeu: the schema has no such field',
        suggestion: 'did you mean FamilyQuotient.value?',
      },
      {
        file: '/elsewhere/policies/reusers',
        path: '',
        message: 'cannot read the reusers folder: ENOENT',
      },
      {
        file: 'policies/purposes/x.yaml',
        line: 3,
        column: 1,
        path: 'holders.1',
        message: 'holder tax serves none of the granted fields: remove it',
        severity: 'warning',
      },
    ]);
    expect(text.split('\n')).toEqual([
      'policies/purposes/x.yaml:12:5 grants.FamilyQuotient.valeu: unknown field FamilyQuotient.valeu: the schema has no such field (did you mean FamilyQuotient.value?)',
      '/elsewhere/policies/reusers cannot read the reusers folder: ENOENT',
      'policies/purposes/x.yaml:3:1 warning: holders.1: holder tax serves none of the granted fields: remove it',
    ]);
  });

  it('is empty for no problem', () => {
    expect(formatProblems([])).toBe('');
  });
});

describe('DEFAULT_POLICIES_DIR', () => {
  it("is the repository's policies folder", () => {
    expect(DEFAULT_POLICIES_DIR).toBe(join(process.cwd(), 'policies'));
  });

  it.each([
    ['/repo/policies/engine', '/repo/policies'],
    ['/repo/dist/policies/engine', '/repo/policies'],
  ])('from an engine in %s is %s', (engineDir, expected) => {
    expect(policiesDirOf(engineDir)).toBe(expected);
  });
});
