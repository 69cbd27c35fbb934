/**
 * The purpose shield's own cost, in-process: the same operations executed
 * against a data holder's schema without the shield, and with it under each
 * rule cache mode, in interleaved rounds, measuring CPU time per operation.
 * No HTTP and no other process, so the difference is the shield's alone
 * (the HTTP figure is the `direct` scenario of `npm run bench`).
 *
 *   npx tsx bench/shieldOverhead.ts [--rounds 5] [--operations 2000]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { type DocumentNode, execute, type GraphQLSchema, parse } from 'graphql';
import type { CompiledPurpose, PurposeRuleCache } from '../policies/engine/index.js';
import { createEducationLoaders } from '../subgraphs/education/loaders.js';
import { educationResolvers } from '../subgraphs/education/resolvers.js';
import { educationTypeDefs } from '../subgraphs/education/schema.js';
import {
  buildHolderSchema,
  fixedClock,
  holderStorePath,
  openHolderStore,
} from '../subgraphs/kit/index.js';
import { ensureSandboxData, NAMED_PEOPLE } from '../subgraphs/sandbox/index.js';

const DATA_DIR = join(fileURLToPath(new URL('..', import.meta.url)), '.bench', 'data');
const AS_OF = '2026-11-15';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    operations: { type: 'string', default: '2000' },
  },
});
const ROUNDS = Number(values.rounds);
const OPERATIONS = Number(values.operations);

await ensureSandboxData({ dataDir: DATA_DIR, seed: 42, persons: 10_000, asOf: AS_OF });
const store = openHolderStore(holderStorePath(DATA_DIR, 'education'));
const clock = fixedClock(AS_OF);

/** A purpose granting every field of the schema: every field's rule runs and allows. */
function grantingEverything(schema: GraphQLSchema): CompiledPurpose {
  const selectable = new Map();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !('getFields' in type)) continue;
    for (const field of Object.keys(type.getFields())) {
      const coordinate = `${type.name}.${field}`;
      selectable.set(coordinate, { coordinate, holder: 'education', grant: { coordinate } });
    }
  }
  return { id: 'bench-everything', selectable } as unknown as CompiledPurpose;
}

const plain = buildSubgraphSchema({
  typeDefs: educationTypeDefs,
  resolvers: educationResolvers as GraphQLResolverMap<unknown>,
});
const purpose = grantingEverything(plain);
const variants: { name: string; schema: GraphQLSchema }[] = [
  { name: 'no shield', schema: plain },
  ...(['no_cache', 'contextual'] as PurposeRuleCache[]).map((ruleCache) => ({
    name: `shield, ${ruleCache}`,
    schema: buildHolderSchema(
      { typeDefs: educationTypeDefs, resolvers: educationResolvers },
      { clock, ruleCache },
    ),
  })),
];

const student = NAMED_PEOPLE.scholarshipStudent;
const personIds = store
  .all<{ person_id: string }>('SELECT person_id FROM students ORDER BY person_id LIMIT 50')
  .map((row) => row.person_id);
const operations: { name: string; document: DocumentNode; variables: Record<string, unknown> }[] = [
  {
    name: 'scholarship (bench query, 5 fields)',
    document: parse(`query ($n: String!) { studentByNumber(studentNumber: $n) {
        student { isScholarshipHolder currentScholarship { level } } } }`),
    variables: { n: student.studentNumber },
  },
  {
    name: '50 entities x 8 fields',
    document: parse(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person {
        student { studentNumber enrolments { academicYear institution { name } } scholarships { level } } } } }`),
    variables: { r: personIds.map((id) => ({ __typename: 'Person', id })) },
  },
];

async function cpuMicrosPerOperation(
  schema: GraphQLSchema,
  operation: (typeof operations)[number],
): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < OPERATIONS; i += 1) {
    const result = await execute({
      schema,
      document: operation.document,
      variableValues: operation.variables,
      contextValue: {
        loaders: createEducationLoaders(store),
        clock,
        purpose,
        purposeRefusal: undefined,
      },
    });
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / OPERATIONS;
}

for (const operation of operations) {
  const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round <= ROUNDS; round += 1) {
    for (const variant of variants) {
      const micros = await cpuMicrosPerOperation(variant.schema, operation);
      // Round 0 warms the JIT up and is not counted.
      if (round > 0) samples.get(variant.name)?.push(micros);
    }
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const baseline = median(samples.get('no shield') ?? []) ?? Number.NaN;
  console.log(`\n${operation.name}: CPU µs per operation, median of ${ROUNDS} rounds`);
  for (const [name, list] of samples) {
    const value = median(list) ?? Number.NaN;
    console.log(
      `  ${name.padEnd(20)} ${value.toFixed(1).padStart(8)}  ${(value / baseline).toFixed(2)}x  (+${(value - baseline).toFixed(1)} µs)`,
    );
  }
}
store.close();
