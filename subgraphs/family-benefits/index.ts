import { defineDataHolder } from '../kit/index.js';
import { createFamilyBenefitsLoaders, type FamilyBenefitsLoaders } from './loaders.js';
import { familyBenefitsResolvers } from './resolvers.js';
import { familyBenefitsTypeDefs } from './schema.js';

export { FAMILY_BENEFITS_STORE_INDEXES, FAMILY_BENEFITS_STORE_SCHEMA } from './storeSchema.js';

export const familyBenefits = defineDataHolder<FamilyBenefitsLoaders>({
  name: 'family-benefits',
  typeDefs: familyBenefitsTypeDefs,
  resolvers: familyBenefitsResolvers,
  createLoaders: createFamilyBenefitsLoaders,
});
