export { type BatchLoaderSpec, createBatchLoader } from './batchLoader.js';
export { badArgument, requireDate, requireMonth, requirePattern } from './arguments.js';
export { type Clock, fixedClock, systemClock } from './clock.js';
export { HolderConfigError, readHolderConfig, type HolderConfig } from './config.js';
export {
  DATA_HOLDERS,
  type DataHolderDefinition,
  type DataHolderName,
  type HolderContext,
  type RunningDataHolder,
  startDataHolder,
} from './dataHolder.js';
export { holderStorePath, type HolderReadyMessage, runDataHolder } from './runDataHolder.js';
export { type HolderStore, HolderStoreUnavailableError, openHolderStore } from './store.js';
