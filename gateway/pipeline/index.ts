export {
  createRequestPipeline,
  RESPONSE_HEADERS,
  type RequestPipeline,
  type RequestPipelineOptions,
} from './requestPipeline.js';
