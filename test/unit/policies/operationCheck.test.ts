import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  type ArgumentConstraint,
  analyseOperation,
  type CompiledPurpose,
  type Coordinate,
  checkArguments,
  createOperationChecker,
  type Grant,
  MAX_FIELD_SELECTIONS,
  OperationTooLargeError,
  type SelectableField,
  selectsOnlySchema,
  type Transform,
} from '../../../policies/engine/index.js';

// The gateway's pre-flight check, as tables: a purpose, a query, and what is
// allowed or denied. The schema and purposes are small copies of the
// sandbox's (SCENARIOS.md), enough for every rule of the walk.

const schema = buildSchema(/* GraphQL */ `
  type Query {
    beneficiaryByFileNumber(fileNumber: String!): Person
    personsByPivotIdentity(familyName: String!, birthDate: String!, sex: Sex): [Person!]!
    studentByNumber(studentNumber: String!): Person
  }
  enum Sex {
    F
    M
  }
  type Person {
    familyName: String!
    givenNames: [String!]!
    birthDate: String!
    birthYear: Int!
    address: Address!
    familyBenefits: FamilyBenefitsFile
    taxHousehold: TaxHousehold
    student: Student
  }
  type Address {
    line: String!
    communeName: String!
  }
  type FamilyBenefitsFile {
    familyQuotient(month: String!): FamilyQuotient
    familyQuotients(months: [String!]): [FamilyQuotient!]!
    children: [Person!]!
  }
  type FamilyQuotient {
    month: String!
    value: Int!
  }
  type TaxHousehold {
    assessment(incomeYear: Int!): TaxAssessment
  }
  type TaxAssessment {
    incomeYear: Int!
    referenceTaxIncome: Int!
  }
  type Student {
    enrolment(academicYear: String! = "2026-2027"): Enrolment
  }
  type Enrolment {
    academicYear: String!
    enrolled: Boolean!
  }
`);

type GrantSpec = {
  args?: Record<string, ArgumentConstraint>;
  /** For a derived field: the source coordinate the policy file grants, and its transform. */
  derivedFrom?: { coordinate: Coordinate; transform: Transform };
};

function purpose(
  id: string,
  grants: Record<Coordinate, GrantSpec>,
  mode: CompiledPurpose['mode'] = 'reject',
): CompiledPurpose {
  const selectable = new Map<Coordinate, SelectableField>();
  const grantMap = new Map<Coordinate, Grant>();
  for (const [coordinate, spec] of Object.entries(grants)) {
    const grant: Grant = {
      coordinate: spec.derivedFrom?.coordinate ?? coordinate,
      ...(spec.derivedFrom ? { transform: spec.derivedFrom.transform } : {}),
      ...(spec.args ? { args: spec.args } : {}),
    };
    grantMap.set(grant.coordinate, grant);
    selectable.set(coordinate, {
      coordinate,
      holder: 'civil-status',
      grant,
      ...(spec.derivedFrom ? { transform: spec.derivedFrom.transform } : {}),
    });
  }
  return {
    id,
    title: id,
    legalBasis: 'test',
    holders: ['civil-status', 'family-benefits', 'tax', 'education'],
    stage: 'sandbox',
    validFrom: '2026-01-01',
    validUntil: '2027-12-31',
    mode,
    grants: grantMap,
    limits: { subjectsPerRequest: 1, requestsPerMinute: 60, subjectsPerDay: 100 },
    traceability: { requiredClaims: [] },
    retention: 'P1Y',
    source: { file: `purposes/${id}.yaml` },
    selectable,
  };
}

const month = (from: number, to: number): ArgumentConstraint => ({
  kind: 'window',
  window: { unit: 'month', from, to },
});

const PURPOSES = {
  /** Scenario 1: the family quotient value and month, current month only. */
  canteen: purpose('school-canteen-pricing', {
    'Query.beneficiaryByFileNumber': {},
    'Person.familyBenefits': {},
    'FamilyBenefitsFile.familyQuotient': { args: { month: month(0, 0) } },
    'FamilyBenefitsFile.familyQuotients': { args: { months: month(-2, 0) } },
    'FamilyQuotient.month': {},
    'FamilyQuotient.value': {},
  }),
  /** Scenario 8: names and birth year, never the birth date. */
  identity: purpose('identity-check', {
    'Query.personsByPivotIdentity': { args: { sex: { kind: 'oneOf', values: ['F'] } } },
    'Query.beneficiaryByFileNumber': {},
    'Person.familyName': {},
    'Person.givenNames': {},
    'Person.birthYear': {
      derivedFrom: { coordinate: 'Person.birthDate', transform: { kind: 'year' } },
    },
  }),
  /** Scenario 6: reference tax income for income year N-1 only. */
  taxPricing: purpose('social-pricing-tax', {
    'Query.beneficiaryByFileNumber': {},
    'Person.taxHousehold': {},
    'TaxHousehold.assessment': {
      args: { incomeYear: { kind: 'window', window: { unit: 'year', from: -1, to: -1 } } },
    },
    'TaxAssessment.incomeYear': {},
    'TaxAssessment.referenceTaxIncome': {},
  }),
  /** Scenario 4: enrolment of the current academic year only. */
  studentJob: purpose('student-job-contract', {
    'Query.studentByNumber': {},
    'Person.student': {},
    'Student.enrolment': {
      args: {
        academicYear: { kind: 'window', window: { unit: 'academicYear', from: 0, to: 0 } },
      },
    },
    'Enrolment.enrolled': {},
  }),
} as const;

/** The sandbox's "today" in the tests (Europe/Paris). */
const TODAY = '2026-11-15';
const VERSION = 'v1';

type Denial = { coordinate: Coordinate; paths: string[][]; hint?: string };

type FieldCase = {
  name: string;
  purpose: keyof typeof PURPOSES;
  query: string;
  operationName?: string;
  /** Every coordinate the operation uses, in document order. */
  used: Coordinate[];
  denied: Denial[];
};

function analyse(query: string, purposeName: keyof typeof PURPOSES, operationName?: string) {
  return analyseOperation(schema, parse(query), operationName, PURPOSES[purposeName], VERSION);
}

describe('fields a purpose grants', () => {
  const cases: FieldCase[] = [
    {
      name: 'the canteen query is allowed',
      purpose: 'canteen',
      query: `{ beneficiaryByFileNumber(fileNumber: "1") { familyBenefits { familyQuotient(month: "2026-11") { month value } } } }`,
      used: [
        'Query.beneficiaryByFileNumber',
        'Person.familyBenefits',
        'FamilyBenefitsFile.familyQuotient',
        'FamilyQuotient.month',
        'FamilyQuotient.value',
      ],
      denied: [],
    },
    {
      name: 'one field more is denied, with its response path',
      purpose: 'canteen',
      query: `{ beneficiaryByFileNumber(fileNumber: "1") { familyName familyBenefits { familyQuotient(month: "2026-11") { value } } } }`,
      used: [
        'Query.beneficiaryByFileNumber',
        'Person.familyName',
        'Person.familyBenefits',
        'FamilyBenefitsFile.familyQuotient',
        'FamilyQuotient.value',
      ],
      denied: [
        { coordinate: 'Person.familyName', paths: [['beneficiaryByFileNumber', 'familyName']] },
      ],
    },
    {
      name: 'named fragments, nested, are inlined; one coordinate lists every place',
      purpose: 'canteen',
      query: `
        { b: beneficiaryByFileNumber(fileNumber: "1") { ...Who } }
        fragment Who on Person { familyName familyBenefits { ...Household } }
        fragment Household on FamilyBenefitsFile { children { familyName } }
      `,
      used: [
        'Query.beneficiaryByFileNumber',
        'Person.familyName',
        'Person.familyBenefits',
        'FamilyBenefitsFile.children',
      ],
      denied: [
        {
          coordinate: 'Person.familyName',
          paths: [
            ['b', 'familyName'],
            ['b', 'familyBenefits', 'children', 'familyName'],
          ],
        },
        { coordinate: 'FamilyBenefitsFile.children', paths: [['b', 'familyBenefits', 'children']] },
      ],
    },
    {
      name: 'inline fragments, with and without a type condition, nested',
      purpose: 'identity',
      query: `{ personsByPivotIdentity(familyName: "A", birthDate: "1990-01-01") {
        ... on Person { familyName ... { birthDate ... on Person { address { line } } } }
      } }`,
      used: [
        'Query.personsByPivotIdentity',
        'Person.familyName',
        'Person.birthDate',
        'Person.address',
        'Address.line',
      ],
      denied: [
        {
          coordinate: 'Person.birthDate',
          paths: [['personsByPivotIdentity', 'birthDate']],
          hint: 'this purpose gets Person.birthYear instead',
        },
        { coordinate: 'Person.address', paths: [['personsByPivotIdentity', 'address']] },
        { coordinate: 'Address.line', paths: [['personsByPivotIdentity', 'address', 'line']] },
      ],
    },
    {
      name: 'an alias is resolved to its field, even one named __typename',
      purpose: 'identity',
      query: `{ p: personsByPivotIdentity(familyName: "A", birthDate: "1990-01-01") { year: birthYear __typename: birthDate } }`,
      used: ['Query.personsByPivotIdentity', 'Person.birthYear', 'Person.birthDate'],
      denied: [
        {
          coordinate: 'Person.birthDate',
          paths: [['p', '__typename']],
          hint: 'this purpose gets Person.birthYear instead',
        },
      ],
    },
    {
      name: 'the derived field is allowed where its source is not',
      purpose: 'identity',
      query: `{ personsByPivotIdentity(familyName: "A", birthDate: "1990-01-01") { familyName givenNames birthYear } }`,
      used: [
        'Query.personsByPivotIdentity',
        'Person.familyName',
        'Person.givenNames',
        'Person.birthYear',
      ],
      denied: [],
    },
    {
      name: '__typename is always allowed and is no coordinate',
      purpose: 'canteen',
      query: `{ __typename beneficiaryByFileNumber(fileNumber: "1") { __typename } }`,
      used: ['Query.beneficiaryByFileNumber'],
      denied: [],
    },
    {
      name: 'introspection is left to other rules',
      purpose: 'canteen',
      query: `{ __schema { types { name } } __type(name: "Person") { fields { name } } }`,
      used: [],
      denied: [],
    },
    {
      name: 'a fragment named like introspection gets no special treatment',
      purpose: 'identity',
      query: `
        { personsByPivotIdentity(familyName: "A", birthDate: "1990-01-01") { ...__schema ...__type } }
        fragment __schema on Person { birthDate }
        fragment __type on Person { familyName }
      `,
      used: ['Query.personsByPivotIdentity', 'Person.birthDate', 'Person.familyName'],
      denied: [
        {
          coordinate: 'Person.birthDate',
          paths: [['personsByPivotIdentity', 'birthDate']],
          hint: 'this purpose gets Person.birthYear instead',
        },
      ],
    },
    {
      name: 'a cycle of fragments ends the walk instead of looping',
      purpose: 'canteen',
      query: `
        { beneficiaryByFileNumber(fileNumber: "1") { ...A } }
        fragment A on Person { familyBenefits { children { ...B } } }
        fragment B on Person { familyName ...A }
      `,
      used: [
        'Query.beneficiaryByFileNumber',
        'Person.familyBenefits',
        'FamilyBenefitsFile.children',
        'Person.familyName',
      ],
      denied: [
        {
          coordinate: 'FamilyBenefitsFile.children',
          paths: [['beneficiaryByFileNumber', 'familyBenefits', 'children']],
        },
        {
          coordinate: 'Person.familyName',
          paths: [['beneficiaryByFileNumber', 'familyBenefits', 'children', 'familyName']],
        },
      ],
    },
    {
      name: 'a root field the purpose does not grant is denied with its subtree',
      purpose: 'taxPricing',
      query: `{ studentByNumber(studentNumber: "1") { familyName } }`,
      used: ['Query.studentByNumber', 'Person.familyName'],
      denied: [
        { coordinate: 'Query.studentByNumber', paths: [['studentByNumber']] },
        { coordinate: 'Person.familyName', paths: [['studentByNumber', 'familyName']] },
      ],
    },
    {
      name: 'a field the schema does not know is denied (deny by default)',
      purpose: 'canteen',
      query: `{ beneficiaryByFileNumber(fileNumber: "1") { salary } }`,
      used: ['Query.beneficiaryByFileNumber', 'Person.salary'],
      denied: [{ coordinate: 'Person.salary', paths: [['beneficiaryByFileNumber', 'salary']] }],
    },
    {
      name: 'only the chosen operation of a document counts',
      purpose: 'canteen',
      operationName: 'Allowed',
      query: `
        query Denied { beneficiaryByFileNumber(fileNumber: "1") { familyName } }
        query Allowed { beneficiaryByFileNumber(fileNumber: "1") { __typename } }
      `,
      used: ['Query.beneficiaryByFileNumber'],
      denied: [],
    },
    {
      name: '@skip and @include do not hide a field from the check',
      purpose: 'canteen',
      query: `query ($no: Boolean = true) { beneficiaryByFileNumber(fileNumber: "1") { familyName @skip(if: $no) } }`,
      used: ['Query.beneficiaryByFileNumber', 'Person.familyName'],
      denied: [
        { coordinate: 'Person.familyName', paths: [['beneficiaryByFileNumber', 'familyName']] },
      ],
    },
  ];

  it.each(cases)('$name', ({ purpose: purposeName, query, operationName, used, denied }) => {
    const analysis = analyse(query, purposeName, operationName);
    expect(analysis.used.map((use) => use.coordinate)).toEqual(used);
    expect(
      analysis.denied.map((field) => ({
        coordinate: field.coordinate,
        paths: field.paths.map((path) => [...path]),
        ...(field.hint === undefined ? {} : { hint: field.hint }),
      })),
    ).toEqual(denied);
    for (const field of analysis.denied) expect(field.reason).toBe('NOT_GRANTED');
    expect(analysis.deniedNodes.size).toBe(
      denied.reduce((count, field) => count + field.paths.length, 0),
    );
  });

  it('refuses a fragment fan-out too large to walk', () => {
    // Each fragment spreads the next twice: 2^20 selections once inlined.
    const fragments = Array.from(
      { length: 20 },
      (_, index) => `fragment F${index} on Person { familyName ...F${index + 1} ...F${index + 1} }`,
    );
    const query = `{ beneficiaryByFileNumber(fileNumber: "1") { ...F0 } }
      ${fragments.join('\n')}
      fragment F20 on Person { familyName }`;
    expect(() => analyse(query, 'canteen')).toThrow(OperationTooLargeError);
    expect(MAX_FIELD_SELECTIONS).toBeLessThan(2 ** 20);
  });
});

type ArgumentCase = {
  name: string;
  purpose: keyof typeof PURPOSES;
  query: string;
  variables?: Record<string, unknown>;
  today?: string;
  /** `coordinate(argument:) problem | allowed`, or nothing when allowed. */
  violations: string[];
};

describe('argument values a purpose allows', () => {
  const quotient = (argument: string) =>
    `query ($m: String! = "2026-11") { beneficiaryByFileNumber(fileNumber: "1") { familyBenefits { familyQuotient(month: ${argument}) { value } } } }`;
  const assessment = (argument: string) =>
    `query ($y: Int!) { beneficiaryByFileNumber(fileNumber: "1") { taxHousehold { assessment(incomeYear: ${argument}) { referenceTaxIncome } } } }`;
  const enrolment = (argument: string) =>
    `query ($a: String!) { studentByNumber(studentNumber: "1") { student { enrolment${argument} { enrolled } } } }`;

  const cases: ArgumentCase[] = [
    {
      name: 'a literal month inside the window',
      purpose: 'canteen',
      query: quotient('"2026-11"'),
      violations: [],
    },
    {
      name: 'a literal month before the window',
      purpose: 'canteen',
      query: quotient('"2026-10"'),
      violations: [
        'FamilyBenefitsFile.familyQuotient(month:) "2026-10" is before the allowed period | 2026-11 only',
      ],
    },
    {
      name: 'a variable month after the window',
      purpose: 'canteen',
      query: quotient('$m'),
      variables: { m: '2026-12' },
      violations: [
        'FamilyBenefitsFile.familyQuotient(month:) "2026-12" is after the allowed period | 2026-11 only',
      ],
    },
    {
      name: "the variable's default value when the variable is not sent",
      purpose: 'canteen',
      query: quotient('$m'),
      violations: [],
    },
    {
      name: 'the window moves with today',
      purpose: 'canteen',
      query: quotient('$m'),
      variables: { m: '2027-01' },
      today: '2027-01-01',
      violations: [],
    },
    {
      name: 'a value that is not a month',
      purpose: 'canteen',
      query: quotient('"11/2026"'),
      violations: [
        'FamilyBenefitsFile.familyQuotient(month:) "11/2026" is not a month written YYYY-MM | 2026-11 only',
      ],
    },
    {
      name: 'every item of a list must be inside the window',
      purpose: 'canteen',
      query: `query ($ms: [String!]) { beneficiaryByFileNumber(fileNumber: "1") { familyBenefits { familyQuotients(months: $ms) { value } } } }`,
      variables: { ms: ['2026-09', '2026-11', '2026-08'] },
      violations: [
        'FamilyBenefitsFile.familyQuotients(months:) "2026-08" is before the allowed period | 2026-09 to 2026-11',
      ],
    },
    {
      name: 'a constrained argument left out (nullable, no default) is refused',
      purpose: 'canteen',
      query: `{ beneficiaryByFileNumber(fileNumber: "1") { familyBenefits { familyQuotients { value } } } }`,
      violations: [
        'FamilyBenefitsFile.familyQuotients(months:) no value was given | 2026-09 to 2026-11',
      ],
    },
    {
      name: 'income year N-1 as a literal',
      purpose: 'taxPricing',
      query: assessment('2025'),
      violations: [],
    },
    {
      name: 'income year N-2 from a variable',
      purpose: 'taxPricing',
      query: assessment('$y'),
      variables: { y: 2024 },
      violations: [
        'TaxHousehold.assessment(incomeYear:) 2024 is before the allowed period | 2025 only',
      ],
    },
    {
      name: 'the current academic year by the schema default',
      purpose: 'studentJob',
      query: enrolment(''),
      violations: [],
    },
    {
      name: 'last academic year',
      purpose: 'studentJob',
      query: enrolment('(academicYear: $a)'),
      variables: { a: '2025-2026' },
      violations: [
        'Student.enrolment(academicYear:) "2025-2026" is before the allowed period | 2026-2027 only',
      ],
    },
    {
      name: 'in August, the academic year is still the one that began last September',
      purpose: 'studentJob',
      query: enrolment('(academicYear: $a)'),
      variables: { a: '2025-2026' },
      today: '2026-08-31',
      violations: [],
    },
    {
      name: 'an academic year that is not one',
      purpose: 'studentJob',
      query: enrolment('(academicYear: "2026-2028")'),
      violations: [
        'Student.enrolment(academicYear:) "2026-2028" is not an academic year written YYYY-YYYY | 2026-2027 only',
      ],
    },
    {
      name: 'an allowed value of a oneOf argument',
      purpose: 'identity',
      query: `{ personsByPivotIdentity(familyName: "A", birthDate: "1990-01-01", sex: F) { familyName } }`,
      violations: [],
    },
    {
      name: 'another value of a oneOf argument',
      purpose: 'identity',
      query: `query ($s: Sex) { personsByPivotIdentity(familyName: "A", birthDate: "1990-01-01", sex: $s) { familyName } }`,
      variables: { s: 'M' },
      violations: ['Query.personsByPivotIdentity(sex:) "M" is not an allowed value | one of "F"'],
    },
  ];

  it.each(cases)('$name', ({ purpose: purposeName, query, variables, today, violations }) => {
    const analysis = analyse(query, purposeName);
    expect(analysis.denied).toEqual([]);
    expect(
      checkArguments(analysis, variables, today ?? TODAY).map(
        (violation) =>
          `${violation.coordinate}(${violation.argument}:) ${violation.problem} | ${violation.allowed}`,
      ),
    ).toEqual(violations);
  });

  it('reports the path and the constraint of a violation', () => {
    const analysis = analyse(quotient('"2026-01"'), 'canteen');
    expect(checkArguments(analysis, {}, TODAY)).toEqual([
      expect.objectContaining({
        path: ['beneficiaryByFileNumber', 'familyBenefits', 'familyQuotient'],
        constraint: { kind: 'window', window: { unit: 'month', from: 0, to: 0 } },
      }),
    ]);
  });
});

describe('the cached checker', () => {
  const query = `{ beneficiaryByFileNumber(fileNumber: "1") { familyName } }`;
  const operation = (
    overrides: Partial<Parameters<ReturnType<typeof createOperationChecker>['analyse']>[0]> = {},
  ) => ({
    document: parse(query),
    documentHash: 'hash-1',
    operationName: undefined,
    purpose: PURPOSES.canteen,
    policyVersion: VERSION,
    ...overrides,
  });

  it('returns the same analysis for the same document, purpose and policy version', () => {
    const checker = createOperationChecker({ schema, clock: { today: () => TODAY } });
    const first = checker.analyse(operation());
    // A re-parsed document with the same hash hits the cache too.
    expect(checker.analyse(operation())).toBe(first);
    expect(checker.cachedAnalyses).toBe(1);
  });

  it('analyses again for another purpose, policy version or document', () => {
    const checker = createOperationChecker({ schema, clock: { today: () => TODAY } });
    const first = checker.analyse(operation());
    expect(checker.analyse(operation({ purpose: PURPOSES.identity }))).not.toBe(first);
    expect(checker.analyse(operation({ policyVersion: 'v2' }))).not.toBe(first);
    expect(checker.analyse(operation({ documentHash: 'hash-2' }))).not.toBe(first);
    expect(checker.cachedAnalyses).toBe(4);
  });

  it('forgets the least recently used analysis beyond its bound', () => {
    const checker = createOperationChecker({
      schema,
      clock: { today: () => TODAY },
      maxCachedAnalyses: 2,
    });
    const one = checker.analyse(operation({ documentHash: 'one' }));
    const two = checker.analyse(operation({ documentHash: 'two' }));
    expect(checker.analyse(operation({ documentHash: 'one' }))).toBe(one); // now the most recent
    checker.analyse(operation({ documentHash: 'three' })); // evicts "two"
    expect(checker.cachedAnalyses).toBe(2);
    expect(checker.analyse(operation({ documentHash: 'one' }))).toBe(one);
    expect(checker.analyse(operation({ documentHash: 'two' }))).not.toBe(two);
  });

  it('checks argument values on every request, against its clock', () => {
    let today = '2026-11-15';
    const checker = createOperationChecker({ schema, clock: { today: () => today } });
    const request = {
      ...operation({ documentHash: 'quotient' }),
      document: parse(
        `query ($m: String!) { beneficiaryByFileNumber(fileNumber: "1") { familyBenefits { familyQuotient(month: $m) { value } } } }`,
      ),
    };
    expect(checker.check({ ...request, variables: { m: '2026-11' } }).allowed).toBe(true);
    const refused = checker.check({ ...request, variables: { m: '2026-10' } });
    expect(refused.allowed).toBe(false);
    expect(refused.argumentViolations.map((violation) => violation.argument)).toEqual(['month']);
    today = '2026-10-02';
    expect(checker.check({ ...request, variables: { m: '2026-10' } }).allowed).toBe(true);
    expect(checker.cachedAnalyses).toBe(1);
  });
});

describe('operations that ask for the schema only', () => {
  it.each([
    ['{ __typename }', true],
    ['{ __schema { queryType { name } } }', true],
    [
      'query { ... on Query { __typename } ...Meta } fragment Meta on Query { __type(name: "Person") { name } }',
      true,
    ],
    ['{ __typename beneficiaryByFileNumber(fileNumber: "1") { __typename } }', false],
    [
      '{ ...Data } fragment Data on Query { studentByNumber(studentNumber: "1") { __typename } }',
      false,
    ],
    ['{ __typename: studentByNumber(studentNumber: "1") { __typename } }', false],
  ])('%s -> %s', (query, expected) => {
    expect(selectsOnlySchema(parse(query), undefined)).toBe(expected);
  });
});
