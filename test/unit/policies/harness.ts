import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { composeSupergraph } from '../../../gateway/composition/index.js';
import {
  type DataHolderId,
  type LoadResult,
  loadPolicySet,
  type PolicyProblem,
  type PolicyScope,
} from '../../../policies/engine/index.js';

/** The head every fixture subgraph shares: federation and the minimisation directives. */
const PREAMBLE = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible", "@shareable", "@composeDirective"])
    @link(url: "https://passerelle.example/minimisation/v0.1", import: ["@reduces", "@sensitive", "@window"])
    @composeDirective(name: "@reduces")
    @composeDirective(name: "@sensitive")
    @composeDirective(name: "@window")
  directive @reduces(field: String!, transform: String!) on FIELD_DEFINITION
  directive @sensitive(category: String!) on FIELD_DEFINITION
  directive @window(by: String!, unit: String!) on FIELD_DEFINITION
`;

const AMOUNT_BRACKET = /* GraphQL */ `
  type AmountBracket @shareable { index: Int! lowerBound: Int upperBound: Int }
`;

/** Three small holders: enough schema for every check, none of the real one's churn. */
export const FIXTURE_SUBGRAPHS = {
  'civil-status': /* GraphQL */ `${PREAMBLE}
    type Person @key(fields: "id") {
      id: ID! @inaccessible
      familyName: String!
      birthDate: String!
      birthYear: Int! @reduces(field: "birthDate", transform: "year")
      address: Address!
      residenceCommune: Commune! @reduces(field: "address", transform: "commune")
    }
    type Address { line: String! commune: Commune! }
    type Commune { code: String! name: String! }
    enum Sex { F M }
    type Query {
      personsByPivotIdentity(familyName: String!, birthDate: String!, sex: Sex): [Person!]!
    }
  `,
  'family-benefits': /* GraphQL */ `${PREAMBLE}
    type Person @key(fields: "id") {
      id: ID! @inaccessible
      familyBenefits: FamilyBenefitsFile
    }
    type FamilyBenefitsFile {
      fileNumber: String!
      familyQuotient(month: String!): FamilyQuotient
      familyQuotients: [FamilyQuotient!]! @window(by: "month", unit: "month")
      disabilityAllowance: Boolean! @sensitive(category: "health")
      childCount(minimumAge: Int): Int!
    }
    type FamilyQuotient {
      month: String!
      value: Int!
      valueBracket: AmountBracket! @reduces(field: "value", transform: "bracket")
    }
    ${AMOUNT_BRACKET}
    type Query { beneficiaryByFileNumber(fileNumber: String!): Person }
  `,
  tax: /* GraphQL */ `${PREAMBLE}
    type Person @key(fields: "id") {
      id: ID! @inaccessible
      taxHousehold: TaxHousehold
    }
    type TaxHousehold {
      assessments: [TaxAssessment!]! @window(by: "incomeYear", unit: "year")
    }
    type TaxAssessment {
      incomeYear: Int!
      referenceTaxIncome: Int!
      referenceTaxIncomeAtLeast: Boolean! @reduces(field: "referenceTaxIncome", transform: "threshold")
      referenceTaxIncomeBracket: AmountBracket! @reduces(field: "referenceTaxIncome", transform: "bracket")
    }
    ${AMOUNT_BRACKET}
    type Query { taxpayerByTaxNumber(taxNumber: String!): Person }
  `,
} as const satisfies Partial<Record<DataHolderId, string>>;

export const FIXTURE_SUPERGRAPH = composeSupergraph(
  Object.entries(FIXTURE_SUBGRAPHS).map(([name, sdl]) => ({
    name,
    url: `http://${name}.invalid/graphql`,
    sdl,
  })),
).supergraphSdl;

export const SCHEMA_COMMENT = {
  purpose: '# yaml-language-server: $schema=../schema/purpose.schema.json',
  reuser: '# yaml-language-server: $schema=../schema/reuser.schema.json',
};

/**
 * A valid purpose file around the given grants. `grants` and `extra` are
 * YAML lines, indented as they appear in the file (grants by 2 spaces).
 */
export function purposeYaml(
  options: { id?: string; holders?: readonly string[]; grants?: string; extra?: string } = {},
): string {
  const holders = options.holders ?? ['family-benefits'];
  return [
    SCHEMA_COMMENT.purpose,
    `id: ${options.id ?? 'canteen'}`,
    'title: School canteen pricing',
    'legalBasis: Code de l’éducation, art. L. 533-1',
    `holders: [${holders.join(', ')}]`,
    'stage: sandbox',
    'validFrom: 2026-01-01',
    'validUntil: 2026-12-31',
    'grants:',
    options.grants ??
      [
        '  Query.beneficiaryByFileNumber: {}',
        '  Person.familyBenefits: {}',
        '  FamilyBenefitsFile.familyQuotient:',
        '    args: { month: { window: { unit: month, from: 0, to: 0 } } }',
        '  FamilyQuotient.month: {}',
        '  FamilyQuotient.value: {}',
      ].join('\n'),
    'limits: { subjectsPerRequest: 1, requestsPerMinute: 60, subjectsPerDay: 500 }',
    'traceability: { requiredClaims: [agent] }',
    'retention: P1Y',
    ...(options.extra === undefined ? [] : [options.extra]),
    '',
  ].join('\n');
}

/** A valid re-user file; `purposes` is YAML lines indented by 2 spaces. */
export function reuserYaml(options: { id?: string; purposes?: string } = {}): string {
  return [
    SCHEMA_COMMENT.reuser,
    `id: ${options.id ?? 'commune-a'}`,
    "organisationNumber: '21000000000011'",
    'name: Commune A',
    'contacts:',
    '  - { role: technical, email: tech@commune-a.example.org }',
    'purposes:',
    options.purposes ?? '  - { purpose: canteen, validFrom: 2026-01-01, validUntil: 2026-06-30 }',
    '',
  ].join('\n');
}

const createdDirs: string[] = [];
afterEach(() => {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A policies folder holding exactly `files` (relative path -> content),
 * with `purposes/` and `reusers/` present even when empty. Removed after
 * each test.
 */
export function createPoliciesDir(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-policies-'));
  createdDirs.push(dir);
  mkdirSync(join(dir, 'purposes'));
  mkdirSync(join(dir, 'reusers'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** The default fixture: one valid purpose, one re-user holding it. */
export function validFiles(): Record<string, string> {
  return { 'purposes/canteen.yaml': purposeYaml(), 'reusers/commune-a.yaml': reuserYaml() };
}

export function load(
  files: Readonly<Record<string, string>>,
  scope: PolicyScope = { kind: 'supergraph' },
  schemaSdl: string = FIXTURE_SUPERGRAPH,
): LoadResult & { dir: string } {
  const dir = createPoliciesDir(files);
  return { ...loadPolicySet({ dir, schemaSdl, scope }), dir };
}

/** 1-based line of the first line of `text` containing `marker`. */
export function lineOf(text: string, marker: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`marker ${JSON.stringify(marker)} not in text`);
  return index + 1;
}

export type ExpectedProblem = {
  file: string;
  line?: number;
  path: string;
  message: string | RegExp;
  suggestion?: string;
};

/** Loading `files` fails, with exactly one error (warnings aside), the one expected. */
export function expectOneError(
  files: Readonly<Record<string, string>>,
  expected: ExpectedProblem,
  scope?: PolicyScope,
  schemaSdl?: string,
): PolicyProblem {
  const result = load(files, scope, schemaSdl);
  if (result.ok) throw new Error('expected the policies to be refused, they loaded');
  const errors = result.problems.filter((problem) => problem.severity !== 'warning');
  expect(errors, JSON.stringify(errors, null, 2)).toHaveLength(1);
  const [error] = errors as [PolicyProblem];
  expect(error.file).toBe(join(result.dir, expected.file));
  if (expected.line !== undefined) expect(error.line).toBe(expected.line);
  expect(error.path).toBe(expected.path);
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  else expect(error.message).toMatch(expected.message);
  expect(error.suggestion).toBe(expected.suggestion);
  return error;
}
