import { defineDataHolder } from '../kit/index.js';
import { createTaxLoaders, type TaxLoaders } from './loaders.js';
import { taxResolvers } from './resolvers.js';
import { taxTypeDefs } from './schema.js';

export { TAX_STORE_INDEXES, TAX_STORE_SCHEMA } from './storeSchema.js';

export const tax = defineDataHolder<TaxLoaders>({
  name: 'tax',
  typeDefs: taxTypeDefs,
  resolvers: taxResolvers,
  createLoaders: createTaxLoaders,
});
