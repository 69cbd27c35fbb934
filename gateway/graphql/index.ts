export { createGraphQLServer, type GatewayExecutor } from './createGraphQLServer.js';
