import { buildSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import {
  buildPurposeRuleTree,
  isInPeriodWindow,
  type PeriodWindow,
  purposeShield,
} from '../../../policies/engine/index.js';
import { DATA_HOLDER_DEFINITIONS } from '../../../subgraphs/index.js';

// The rule tree is built from a holder's schema alone; what a purpose grants
// is read from the request when the rules run (see test/unit/subgraphs for
// the rules at work over HTTP).

const today = () => '2026-11-15';

describe.each(Object.values(DATA_HOLDER_DEFINITIONS))('the rule tree of $name', (holder) => {
  const schema = buildSubgraphSchema({ typeDefs: holder.typeDefs });
  const tree = buildPurposeRuleTree(schema, { today }) as Record<
    string,
    Record<string, { name?: string }>
  >;

  it('has a rule for every field of every object type, and nothing else', () => {
    const served = Object.values(schema.getTypeMap())
      .filter(
        (type) =>
          Object.prototype.toString.call(type) === '[object GraphQLObjectType]' &&
          !type.name.startsWith('__'),
      )
      .flatMap((type) =>
        Object.keys((type as { getFields(): object }).getFields()).map(
          (field) => `${type.name}.${field}`,
        ),
      );
    const ruled = Object.entries(tree).flatMap(([type, fields]) =>
      Object.keys(fields).map((field) => `${type}.${field}`),
    );
    expect(ruled.sort()).toEqual(served.sort());
    expect(ruled).not.toContain('Person.__resolveReference');
  });

  it("allows federation's own fields and the entity key, and nothing else without a purpose", () => {
    const allowed = Object.entries(tree).flatMap(([type, fields]) =>
      Object.entries(fields)
        .filter(([, rule]) => rule.name === undefined)
        .map(([field]) => `${type}.${field}`),
    );
    expect(allowed.sort()).toEqual(
      ['Person.id', 'Query._entities', 'Query._service', '_Service.sdl'].sort(),
    );
    for (const [type, fields] of Object.entries(tree)) {
      for (const [field, rule] of Object.entries(fields)) {
        if (rule.name !== undefined) expect(rule.name).toBe(`purpose:${type}.${field}`);
      }
    }
  });

  it('is accepted by graphql-shield for the schema', () => {
    expect(() => purposeShield(schema, { today }).generate(schema)).not.toThrow();
  });
});

describe('period windows, relative to 2026-11-15', () => {
  const month = (from: number, to: number): PeriodWindow => ({ unit: 'month', from, to });
  const year = (from: number, to: number): PeriodWindow => ({ unit: 'year', from, to });
  const academicYear = (from: number, to: number): PeriodWindow => ({
    unit: 'academicYear',
    from,
    to,
  });

  it.each([
    ['2026-11', month(0, 0), true],
    ['2026-11-30', month(0, 0), true],
    ['2026-10', month(0, 0), false],
    ['2026-12', month(0, 0), false],
    ['2026-08', month(-3, -1), true],
    ['2026-07', month(-3, -1), false],
    ['2025-12', month(-11, 0), true],
    [2025, year(-1, -1), true],
    ['2025', year(-1, -1), true],
    [2024, year(-1, -1), false],
    ['2025-06', year(-1, -1), true],
    ['2026-2027', academicYear(0, 0), true],
    ['2026-09-01', academicYear(0, 0), true],
    ['2026-08-31', academicYear(0, 0), false],
    ['2025-2026', academicYear(-1, -1), true],
  ] as const)('%j in %j: %s', (value, window, inside) => {
    expect(isInPeriodWindow(value, window, today())).toBe(inside);
  });

  it.each([
    ['2026-2028', academicYear(0, 0)],
    ['2026', month(0, 0)],
    [2026, month(0, 0)],
    [2026, academicYear(0, 0)],
    ['2026-13', month(0, 0)],
    ['november', month(0, 0)],
    [null, month(0, 0)],
    [2025.5, year(-1, -1)],
  ] as const)('keeps %j, which is not a period of its window unit, outside', (value, window) => {
    expect(isInPeriodWindow(value, window, today())).toBe(false);
  });

  it('refuses to compute a window without a proper date for today', () => {
    expect(() => isInPeriodWindow('2026-11', month(0, 0), '15/11/2026')).toThrow(RangeError);
  });
});
