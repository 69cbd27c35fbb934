/**
 * Recording each request in the access log (DOMAIN.md T1, DESIGN.md "no
 * log, no data"): the facts the pipeline's stages note down, turned into
 * one access record committed before the response leaves.
 */
export {
  type AccessRecorder,
  createAccessRecorder,
  type RequestFacts,
} from './accessRecorder.js';
export { Disclosure } from './disclosure.js';
export { startRetentionJob } from './retentionJob.js';
