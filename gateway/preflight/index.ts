/**
 * The policy pre-flight stage: the parsed operation checked against the
 * bound purpose before anything is planned or fetched.
 */
export {
  createPreflightStage,
  type PreflightOptions,
  type PreflightStage,
} from './preflightStage.js';
