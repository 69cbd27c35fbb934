import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocumentNode, type GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { analyseOperation, checkArguments, type PolicySet } from '../../policies/engine/index.js';
import { apiSchemaOf } from '../composition/index.js';

/**
 * Policy test cases: one YAML file per purpose under `policies/tests/`,
 * each case a query and what the purpose must allow or refuse:
 *
 *   purpose: school-canteen-pricing
 *   today: 2026-11-15          # the date argument windows count from
 *   cases:
 *     - name: this month's quotient is allowed
 *       query: '{ beneficiaryByFileNumber(fileNumber: "0381201") { ... } }'
 *       expect: allowed
 *     - name: the household address is refused
 *       query: ...
 *       expect: { denied: [FamilyBenefitsFile.address] }
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write dates YYYY-MM-DD');
const caseSchema = z.strictObject({
  name: z.string().min(1),
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).optional(),
  expect: z.union([
    z.literal('allowed'),
    z.strictObject({
      denied: z.array(z.string()).optional(),
      argumentsDenied: z.array(z.string()).optional(),
    }),
  ]),
});
const fileSchema = z.strictObject({
  purpose: z.string().min(1),
  today: isoDate,
  cases: z.array(caseSchema).min(1),
});

type Outcome = { passed: boolean; detail?: string };

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  const a = [...new Set(actual)].sort();
  const b = [...new Set(expected)].sort();
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function runCase(
  schema: GraphQLSchema,
  policySet: PolicySet,
  purposeId: string,
  today: string,
  testCase: z.infer<typeof caseSchema>,
): Outcome {
  const purpose = policySet.purposes.get(purposeId);
  if (purpose === undefined) return { passed: false, detail: `unknown purpose "${purposeId}"` };
  let document: DocumentNode;
  try {
    document = parse(testCase.query);
  } catch (error) {
    return { passed: false, detail: `query does not parse: ${(error as GraphQLError).message}` };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    return {
      passed: false,
      detail: `query is not valid: ${invalid.map((error) => error.message).join('; ')}`,
    };
  }
  const analysis = analyseOperation(schema, document, undefined, purpose, policySet.version);
  const denied = analysis.denied.map((field) => field.coordinate);
  const argumentsDenied = checkArguments(analysis, testCase.variables ?? {}, today).map(
    (violation) => `${violation.coordinate}(${violation.argument})`,
  );
  const expected =
    testCase.expect === 'allowed' ? { denied: [], argumentsDenied: [] } : testCase.expect;
  const problems: string[] = [];
  if (!sameSet(denied, expected.denied ?? [])) {
    problems.push(
      `denied ${JSON.stringify(denied)}, expected ${JSON.stringify(expected.denied ?? [])}`,
    );
  }
  if (!sameSet(argumentsDenied, expected.argumentsDenied ?? [])) {
    problems.push(
      `arguments denied ${JSON.stringify(argumentsDenied)}, expected ${JSON.stringify(expected.argumentsDenied ?? [])}`,
    );
  }
  return problems.length === 0 ? { passed: true } : { passed: false, detail: problems.join('; ') };
}

/** Runs every case of every test file in `dir`; prints one line per case. Exit code 1 on any failure. */
export function runPolicyTests(dir: string, policySet: PolicySet, supergraphSdl: string): number {
  if (!existsSync(dir)) {
    console.error(`passerelle policy test: no test folder at ${dir}`);
    return 1;
  }
  const schema = apiSchemaOf(supergraphSdl);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  let passed = 0;
  let failed = 0;
  for (const name of files) {
    const parsed = fileSchema.safeParse(parseYaml(readFileSync(join(dir, name), 'utf8')));
    if (!parsed.success) {
      failed += 1;
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message}`,
      );
      console.log(`FAIL ${name}: invalid test file: ${problems.join('; ')}`);
      continue;
    }
    for (const testCase of parsed.data.cases) {
      const outcome = runCase(schema, policySet, parsed.data.purpose, parsed.data.today, testCase);
      if (outcome.passed) passed += 1;
      else failed += 1;
      console.log(
        `${outcome.passed ? 'ok  ' : 'FAIL'} ${parsed.data.purpose}: ${testCase.name}${outcome.detail ? `\n     ${outcome.detail}` : ''}`,
      );
    }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
