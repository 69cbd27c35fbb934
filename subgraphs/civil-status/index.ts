import { defineDataHolder } from '../kit/index.js';
import { type CivilStatusLoaders, createCivilStatusLoaders } from './loaders.js';
import { civilStatusResolvers } from './resolvers.js';
import { civilStatusTypeDefs } from './schema.js';

export { nameKey } from './nameKey.js';
export { CIVIL_STATUS_STORE_INDEXES, CIVIL_STATUS_STORE_SCHEMA } from './storeSchema.js';

export const civilStatus = defineDataHolder<CivilStatusLoaders>({
  name: 'civil-status',
  typeDefs: civilStatusTypeDefs,
  resolvers: civilStatusResolvers,
  createLoaders: createCivilStatusLoaders,
});
