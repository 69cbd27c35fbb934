import { type DataHolderDefinition, requireMonth, requirePattern } from '../kit/index.js';
import type { FamilyBenefitsFile, FamilyBenefitsLoaders } from './loaders.js';

type Resolvers = DataHolderDefinition<FamilyBenefitsLoaders>['resolvers'];

const FILE_NUMBER = /^\d{7}$/;

export const familyBenefitsResolvers: Resolvers = {
  Query: {
    beneficiaryByFileNumber: (_parent, args: { fileNumber: string }, { loaders }) => {
      requirePattern(
        'fileNumber',
        args.fileNumber,
        FILE_NUMBER,
        'a 7-digit file number',
        '1234567',
      );
      const personId = loaders.beneficiaryByFileNumber(args.fileNumber);
      return personId === null ? null : { id: personId };
    },
  },
  Person: {
    // The entity needs no store read: the fields below load what they need, batched.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    familyBenefits: (person: { id: string }, _args, { loaders }) =>
      loaders.fileByMember.load(person.id),
  },
  FamilyBenefitsFile: {
    familyQuotient: (file: FamilyBenefitsFile, args: { month: string }) => {
      const month = requireMonth('month', args.month);
      return file.familyQuotients.find((quotient) => quotient.month === month) ?? null;
    },
    minimumIncome: (file: FamilyBenefitsFile, _args, { clock }) => {
      const today = clock.today();
      const current = file.minimumIncomePeriods.find(
        (period) => period.since <= today && (period.until === null || period.until >= today),
      );
      return {
        beneficiary: current !== undefined,
        since: current?.since ?? null,
        computedOn: current?.computedOn ?? file.minimumIncomePeriods[0]?.computedOn ?? null,
      };
    },
    members: (file: FamilyBenefitsFile) =>
      file.members.map((member) => ({ role: member.role, person: { id: member.personId } })),
    children: (file: FamilyBenefitsFile) =>
      file.members
        .filter((member) => member.role === 'CHILD')
        .map((member) => ({ id: member.personId })),
  },
};
