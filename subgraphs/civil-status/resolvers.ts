import {
  badArgument,
  type DataHolderDefinition,
  requireDate,
  requirePattern,
} from '../kit/index.js';
import type { CivilStatusLoaders } from './loaders.js';
import { nameKey } from './nameKey.js';

type Resolvers = DataHolderDefinition<CivilStatusLoaders>['resolvers'];

const COMMUNE_CODE = /^(\d{5}|2[AB]\d{3})$/;

export const civilStatusResolvers: Resolvers = {
  Query: {
    personsByPivotIdentity: (
      _parent,
      args: {
        familyName: string;
        givenNames: string;
        birthDate: string;
        birthPlaceCode?: string | null;
        sex?: 'F' | 'M' | null;
      },
      { loaders },
    ) => {
      const familyNameKey = nameKey(args.familyName);
      const givenNamesKey = nameKey(args.givenNames);
      if (familyNameKey === '') throw badArgument('familyName', 'a non-empty name', 'Martin');
      if (givenNamesKey === '')
        throw badArgument('givenNames', 'one or more given names', 'Léa Marie');
      const birthPlaceCode = args.birthPlaceCode ?? null;
      if (birthPlaceCode !== null) {
        requirePattern(
          'birthPlaceCode',
          birthPlaceCode,
          COMMUNE_CODE,
          'a 5-character commune code',
          '75056',
        );
      }
      return loaders.personsByPivotIdentity({
        familyNameKey,
        givenNamesKey,
        birthDate: requireDate('birthDate', args.birthDate),
        birthPlaceCode,
        sex: args.sex ?? null,
      });
    },
  },
  Person: {
    __resolveReference: (reference: { id: string }, { loaders }) =>
      loaders.personById.load(reference.id),
  },
};
