import { defineDataHolder } from '../kit/index.js';
import { createEducationLoaders, type EducationLoaders } from './loaders.js';
import { educationResolvers } from './resolvers.js';
import { educationTypeDefs } from './schema.js';

export { EDUCATION_STORE_INDEXES, EDUCATION_STORE_SCHEMA } from './storeSchema.js';

export const education = defineDataHolder<EducationLoaders>({
  name: 'education',
  typeDefs: educationTypeDefs,
  resolvers: educationResolvers,
  createLoaders: createEducationLoaders,
});
