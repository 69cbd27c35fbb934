import { defineDataHolder } from '../kit/index.js';
import { createEmploymentLoaders, type EmploymentLoaders } from './loaders.js';
import { employmentResolvers } from './resolvers.js';
import { employmentTypeDefs } from './schema.js';

export { EMPLOYMENT_STORE_INDEXES, EMPLOYMENT_STORE_SCHEMA } from './storeSchema.js';

export const employment = defineDataHolder<EmploymentLoaders>({
  name: 'employment',
  typeDefs: employmentTypeDefs,
  resolvers: employmentResolvers,
  createLoaders: createEmploymentLoaders,
});
