export { apiSchemaOf } from './apiSchema.js';
export {
  CompositionError,
  type CompositionProblem,
  composeSupergraph,
  type SdlLocation,
  type SubgraphDefinition,
} from './composeSupergraph.js';
export {
  fetchSubgraphSdl,
  fetchSubgraphSdls,
  type SdlFetchFailure,
  SubgraphSdlError,
} from './fetchSubgraphSdl.js';
