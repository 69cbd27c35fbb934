export { type Clock, fixedClock, systemClock } from '../../policies/engine/index.js';
export { badArgument, requireDate, requireMonth, requirePattern } from './arguments.js';
export { type BatchLoaderSpec, createBatchLoader } from './batchLoader.js';
export {
  defaultGatewayPublicKeyFile,
  type HolderConfig,
  HolderConfigError,
  type HolderTlsFiles,
  readHolderConfig,
} from './config.js';
export {
  buildHolderSchema,
  DATA_HOLDERS,
  type DataHolder,
  type DataHolderDefinition,
  type DataHolderName,
  type DataHolderStartOptions,
  defineDataHolder,
  type HolderContext,
  type RunningDataHolder,
} from './dataHolder.js';
export {
  CONTEXT_REFUSAL_STATUS,
  type ContextRefusalCode,
  createGatewayContextVerifier,
  GATEWAY_CONTEXT_ALGORITHM,
  GATEWAY_CONTEXT_HEADER,
  GATEWAY_CONTEXT_ISSUER,
  GATEWAY_CONTEXT_TYPE,
  type GatewayContextClaims,
  type GatewayContextRefusal,
  type GatewayContextVerification,
  type GatewayContextVerifier,
  GatewayKeyError,
  type GatewayPublicKeys,
  importGatewayPublicKeys,
  loadGatewayPublicKeys,
  type PurposeContext,
  type ServiceContext,
} from './gatewayContext.js';
export {
  type ChainedHolderAccessRecord,
  HOLDER_ACCESS_LOG_UNAVAILABLE,
  type HolderAccessEntry,
  type HolderAccessLog,
  type HolderAccessLogOptions,
  type HolderAccessLogQuery,
  HolderAccessLogUnavailableError,
  type HolderAccessLogVerification,
  type HolderAccessRecord,
  holderRecordHash,
  openHolderAccessLog,
  purgeHolderAccessLog,
  searchHolderAccessLog,
  verifyHolderAccessLog,
} from './holderAccessLog.js';
export { holderAccessLogPlugin, trackAccess } from './holderAccessRecording.js';
export {
  fixedHolderPolicies,
  type HolderPolicies,
  type HolderPoliciesOptions,
  watchHolderPolicies,
} from './holderPolicies.js';
export { AGE_BAND_SDL, AMOUNT_BRACKET_SDL, holderTypeDefs } from './holderSchema.js';
export type { HolderTls } from './httpServer.js';
export type { HolderMode, RequestPurpose } from './purposeBinding.js';
export { type HolderReadyMessage, runDataHolder } from './runDataHolder.js';
export { isServiceOperation } from './serviceScope.js';
export { type HolderStore, HolderStoreUnavailableError, openHolderStore } from './store.js';
export {
  holderAccessLogPath,
  holderLogsFolder,
  holderStorePath,
  holderSubjectReferenceKeyPath,
  holdersFolder,
  storeFileName,
} from './storeLayout.js';
export {
  SUBJECTS_EXTENSION,
  servedSubjects,
  subjectReportingPlugin,
  trackSubjects,
  withSubjectReporting,
} from './subjectReporting.js';
export {
  HOLDER_SPAN_ATTRIBUTES,
  HOLDER_SPAN_NAME,
  type HolderTelemetry,
  installHolderTelemetry,
} from './telemetry.js';
export { ageOn, applyTransform, type BoundedClass, classOf, TransformError } from './transforms.js';
