export {
  ERROR_CATALOGUE,
  type ErrorCode,
  type ErrorParams,
  httpStatusOf,
  renderMessage,
} from './catalogue.js';
export { createClientErrorFormatter } from './clientErrors.js';
export {
  type ErrorScope,
  PasserelleError,
  type PasserelleErrorOptions,
  type PublicExtensions,
  type PublicValue,
} from './passerelleError.js';
