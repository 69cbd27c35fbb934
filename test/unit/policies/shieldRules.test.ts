import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { describe, expect, it } from 'vitest';
import {
  buildPurposeRuleTree,
  type CompiledPurpose,
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

describe('a root field listing persons, in the shield', () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse(/* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Person @key(fields: "id") {
        id: ID!
        name: String
      }
      type Query {
        people: [Person!]!
        person(id: ID!): Person
      }
    `),
    resolvers: {
      Query: {
        people: () => [{ id: '1', name: 'Ada' }],
        person: () => ({ id: '1', name: 'Ada' }),
      },
    },
  });
  const shielded = applyMiddleware(schema, purposeShield(schema, { today }));

  /** A purpose granting these coordinates, as the engine compiles it (only what the rules read). */
  function purposeGranting(grants: Record<string, object>) {
    return {
      id: 'listing',
      selectable: new Map(
        Object.entries(grants).map(([coordinate, grant]) => [coordinate, { coordinate, grant }]),
      ),
    } as unknown as CompiledPurpose;
  }

  // Executed by Apollo Server, whose graphql-js build is the schema's (see the top of this file).
  const server = new ApolloServer<{ purpose: CompiledPurpose }>({ schema: shielded });

  async function run(query: string, grants: Record<string, object>) {
    const response = await server.executeOperation(
      { query },
      { contextValue: { purpose: purposeGranting(grants) } },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  it('is refused when the grant does not bound it, as the gateway refuses it', async () => {
    const result = await run('{ people { name } }', { 'Query.people': {}, 'Person.name': {} });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'PURPOSE_FIELD_DENIED',
      coordinate: 'Query.people',
      reason: 'ENUMERATION',
    });
  });

  it('is served when the grant bounds it with enumeration', async () => {
    const result = await run('{ people { name } }', {
      'Query.people': { enumeration: { maxPersons: 10 } },
      'Person.name': {},
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ people: [{ name: 'Ada' }] });
  });

  it('leaves lookups by identifier alone', async () => {
    const result = await run('{ person(id: "1") { name } }', {
      'Query.person': {},
      'Person.name': {},
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ person: { name: 'Ada' } });
  });
});
