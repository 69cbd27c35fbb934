export { createGraphQLServer } from './createGraphQLServer.js';
