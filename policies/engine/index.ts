/**
 * The policy engine: reads the policy files (YAML), validates them, compiles
 * each purpose against a schema, and watches them for changes. The gateway's
 * pre-flight, each data holder's graphql-shield rules and the generated
 * documentation all consume the `PolicySet` it produces. Imports neither
 * gateway/ nor subgraphs/.
 */
export { type Clock, endOfParisDay, fixedClock, systemClock, todayInParis } from './calendar.js';
export { DATA_HOLDER_IDS } from './dataHolders.js';
export { DEFAULT_POLICIES_DIR } from './defaultPoliciesDir.js';
export { PolicySchemaError } from './errors.js';
export { formatProblems } from './formatProblems.js';
export { isPurposeActive, isReuserGrantActive } from './isPurposeActive.js';
export { policyJsonSchemas } from './jsonSchemas.js';
export { type LoadOptions, type LoadResult, loadPolicySet } from './loadPolicySet.js';
export * from './model.js';
export * from './operationCheck.js';
export type { PolicyScope } from './policyScope.js';
export {
  fixedPolicyStore,
  PolicyLoadError,
  type PolicyStore,
  type PolicyStoreOptions,
  startPolicyStore,
} from './policyStore.js';
export {
  buildPurposeRuleTree,
  isInPeriodWindow,
  type PurposeRefusal,
  type PurposeRefusalCode,
  type PurposeRuleCache,
  type PurposeShieldContext,
  type PurposeShieldOptions,
  purposeShield,
} from './shieldRules.js';
export { type WatchOptions, watchPolicySet } from './watchPolicySet.js';
