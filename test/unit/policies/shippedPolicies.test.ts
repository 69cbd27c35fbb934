import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../../gateway/composition/index.js';
import {
  type CompiledPurpose,
  DEFAULT_POLICIES_DIR,
  formatProblems,
  type LoadResult,
  loadPolicySet,
  type PolicySet,
} from '../../../policies/engine/index.js';
import { DATA_HOLDER_DEFINITIONS } from '../../../subgraphs/index.js';
import { DATA_HOLDERS } from '../../../subgraphs/kit/index.js';

const holderSdls = DATA_HOLDERS.map((holder) => ({
  name: holder,
  url: `http://${holder}.invalid/graphql`,
  sdl: print(DATA_HOLDER_DEFINITIONS[holder].typeDefs),
}));
const { supergraphSdl } = composeSupergraph(holderSdls);

function expectClean(result: LoadResult): PolicySet {
  if (!result.ok) throw new Error(formatProblems(result.problems));
  expect(formatProblems(result.warnings)).toBe('');
  return result.policySet;
}

const shipped = expectClean(
  loadPolicySet({
    dir: DEFAULT_POLICIES_DIR,
    schemaSdl: supergraphSdl,
    scope: { kind: 'supergraph' },
  }),
);

function purpose(id: string): CompiledPurpose {
  const found = shipped.purposes.get(id);
  if (found === undefined) throw new Error(`no purpose ${id}`);
  return found;
}

/**
 * SCENARIOS.md, purpose by purpose: what the re-user selects, and what it
 * must never reach (the fields the scenario excludes by name).
 */
const scenarios: { id: string; selects: string[]; never: string[] }[] = [
  {
    id: 'school-canteen-pricing',
    selects: [
      'Query.beneficiaryByFileNumber',
      'FamilyQuotient.valueBracket',
      'FamilyQuotient.month',
    ],
    never: [
      'FamilyQuotient.value',
      'FamilyBenefitsFile.members',
      'FamilyBenefitsFile.children',
      'FamilyBenefitsFile.address',
      'FamilyBenefitsFile.familyQuotients',
    ],
  },
  {
    id: 'secondary-school-grant',
    selects: [
      'FamilyQuotient.value',
      'FamilyBenefitsFile.children',
      'Enrolment.enrolled',
      'Student.isScholarshipHolder',
      'Scholarship.level',
    ],
    never: [
      'Enrolment.institution',
      'Person.address',
      'FamilyBenefitsFile.address',
      'Institution.name',
    ],
  },
  {
    id: 'student-transport-fare',
    selects: [
      'Query.studentByNumber',
      'Student.isScholarshipHolder',
      'Scholarship.level',
      'Scholarship.paymentStart',
      'Scholarship.paymentEnd',
    ],
    never: [
      'Person.familyName',
      'Person.givenNames',
      'Student.email',
      'Enrolment.institution',
      'Institution.communeName',
    ],
  },
  {
    id: 'student-job-contract',
    selects: [
      'Query.studentByNumber',
      'Student.enrolments',
      'Enrolment.enrolled',
      'Enrolment.startDate',
      'Enrolment.endDate',
    ],
    never: ['Enrolment.institution', 'Student.scholarships', 'Student.email'],
  },
  {
    id: 'municipal-social-aid',
    selects: ['MinimumIncomeStatus.beneficiary', 'MinimumIncomeStatus.since'],
    never: ['FamilyQuotient.value', 'FamilyBenefitsFile.members', 'BenefitPayment.amount'],
  },
  {
    id: 'social-pricing-tax-income',
    selects: [
      'Query.taxpayerByTaxNumber',
      'TaxHousehold.assessments',
      'TaxAssessment.referenceTaxIncome',
      'TaxAssessment.numberOfShares',
    ],
    never: ['TaxAssessment.familySituation', 'TaxAssessment.dependants', 'Person.address'],
  },
  {
    id: 'jobseeker-mobility-aid',
    selects: [
      'Query.jobseekerById',
      'JobseekerRegistration.category',
      'JobseekerRegistration.startDate',
      'Jobseeker.benefitPayments',
    ],
    never: ['Jobseeker.registrations', 'Person.familyName'],
  },
  {
    id: 'benefit-file-identity-check',
    selects: [
      'Query.personsByPivotIdentity',
      'Person.givenNames',
      'Person.familyName',
      'Person.birthYear',
      'Person.residenceCommune',
    ],
    never: ['Person.birthDate', 'Person.address', 'Address.line', 'Person.birthPlace'],
  },
];

describe('the shipped policies', () => {
  it('load against the composed supergraph without a problem or a warning', () => {
    expect([...shipped.purposes.keys()].sort()).toEqual(scenarios.map(({ id }) => id).sort());
  });

  it.each(scenarios)(
    '$id grants what its scenario needs and nothing it excludes',
    ({ id, selects, never }) => {
      const selectable = purpose(id).selectable;
      for (const coordinate of selects) expect(selectable.has(coordinate), coordinate).toBe(true);
      for (const coordinate of never) expect(selectable.has(coordinate), coordinate).toBe(false);
    },
  );

  it.each([
    [
      'school-canteen-pricing',
      'FamilyBenefitsFile.familyQuotient',
      { month: { kind: 'window', window: { unit: 'month', from: 0, to: 0 } } },
    ],
  ] as const)('%s limits %s to the current period', (id, coordinate, args) => {
    expect(purpose(id).selectable.get(coordinate)?.grant.args).toEqual(args);
  });

  it.each([
    ['social-pricing-tax-income', 'TaxHousehold.assessments', { unit: 'year', from: -1, to: -1 }],
    ['jobseeker-mobility-aid', 'Jobseeker.benefitPayments', { unit: 'month', from: -3, to: -1 }],
    ['student-job-contract', 'Student.enrolments', { unit: 'academicYear', from: 0, to: 0 }],
  ] as const)('%s limits the history of %s', (id, coordinate, window) => {
    expect(purpose(id).selectable.get(coordinate)?.grant.window).toEqual(window);
  });

  it('reduces precision for the identity check: birth year and commune only', () => {
    const selectable = purpose('benefit-file-identity-check').selectable;
    expect(selectable.get('Person.birthYear')?.transform).toEqual({ kind: 'year' });
    expect(selectable.get('Person.residenceCommune')?.transform).toEqual({ kind: 'commune' });
    expect(purpose('benefit-file-identity-check').traceability.requiredClaims).toEqual([
      'agent',
      'reason',
    ]);
  });

  it('gives the canteen the price bracket of the quotient, never the quotient', () => {
    const selectable = purpose('school-canteen-pricing').selectable;
    expect(selectable.get('FamilyQuotient.valueBracket')?.transform).toEqual({
      kind: 'bracket',
      bounds: [400, 700, 1000],
    });
    expect(selectable.has('FamilyQuotient.value')).toBe(false);
  });

  it('grants no sensitive field and never Person.id', () => {
    for (const compiled of shipped.purposes.values()) {
      expect(compiled.selectable.has('Person.id'), compiled.id).toBe(false);
      for (const field of compiled.selectable.values()) {
        expect(field.sensitiveCategory, `${compiled.id} ${field.coordinate}`).toBeUndefined();
      }
    }
  });

  it('give every purpose a re-user, and one re-user two purposes', () => {
    const reusers = [...shipped.reusers.values()];
    for (const id of shipped.purposes.keys()) {
      expect(
        reusers.some((reuser) => reuser.purposes.some((grant) => grant.purpose === id)),
        id,
      ).toBe(true);
    }
    const commune = shipped.reusers.get('commune-de-bellerive');
    expect(commune?.purposes.map((grant) => grant.purpose)).toEqual([
      'school-canteen-pricing',
      'social-pricing-tax-income',
    ]);
  });

  it.each(holderSdls)('compile cleanly against the $name subgraph alone', ({ name, sdl }) => {
    const forHolder = expectClean(
      loadPolicySet({
        dir: DEFAULT_POLICIES_DIR,
        schemaSdl: sdl,
        scope: { kind: 'holder', holder: name },
      }),
    );
    expect(forHolder.version).toBe(shipped.version);
    // The holder serves exactly the supergraph's selectable fields it holds.
    for (const [id, compiled] of forHolder.purposes) {
      const expected = [...purpose(id).selectable.values()]
        .filter((field) => field.holder === name)
        .map((field) => field.coordinate);
      expect([...compiled.selectable.keys()], id).toEqual(expected);
    }
  });
});
