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
  type SdlFetch,
  type SdlFetchFailure,
  type SdlFetchOptions,
  SubgraphSdlError,
} from './fetchSubgraphSdl.js';
