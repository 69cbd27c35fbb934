import { type DataHolderDefinition, requirePattern } from '../kit/index.js';
import type { TaxAssessment, TaxHousehold, TaxLoaders } from './loaders.js';

type Resolvers = DataHolderDefinition<TaxLoaders>['resolvers'];

const TAX_NUMBER = /^\d{13}$/;

/** Ceilings of the regulated popular savings account (reference tax income, euros). */
const SAVINGS_CEILING_FIRST_SHARE = 22_823;
const SAVINGS_CEILING_PER_HALF_SHARE = 6_092;

export const taxResolvers: Resolvers = {
  Query: {
    taxpayerByTaxNumber: (_parent, args: { taxNumber: string }, { loaders }) => {
      requirePattern(
        'taxNumber',
        args.taxNumber,
        TAX_NUMBER,
        'a 13-digit tax number',
        '3012345678901',
      );
      const personId = loaders.taxpayerByTaxNumber(args.taxNumber);
      return personId === null ? null : { id: personId };
    },
  },
  Person: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    taxHousehold: (person: { id: string }, _args, { loaders }) =>
      loaders.householdByTaxpayer.load(person.id),
  },
  TaxHousehold: {
    assessment: (household: TaxHousehold, args: { incomeYear: number }) =>
      household.assessments.find((assessment) => assessment.incomeYear === args.incomeYear) ?? null,
  },
  TaxAssessment: {
    dependants: (assessment: TaxAssessment) => assessment.dependantIds.map((id) => ({ id })),
    regulatedSavingsAccountEligible: (assessment: TaxAssessment) => {
      const extraHalfShares = Math.max(0, Math.round((assessment.numberOfShares - 1) * 2));
      const ceiling =
        SAVINGS_CEILING_FIRST_SHARE + extraHalfShares * SAVINGS_CEILING_PER_HALF_SHARE;
      return assessment.referenceTaxIncome <= ceiling;
    },
  },
};
