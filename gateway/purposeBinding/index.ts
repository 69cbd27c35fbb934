/**
 * Purpose binding: the bound request's re-user and purpose checked against
 * the policy snapshot the request is served with (declared, granted, in
 * force, required claims present).
 */
export {
  bindPurpose,
  isAddressAllowed,
  type PurposeBinding,
  type PurposeBindingOutcome,
} from './bindPurpose.js';
