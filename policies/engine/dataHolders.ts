import type { DataHolderId } from './model.js';

/**
 * Every data holder a purpose may name in `holders`, in the order the docs
 * list them. Kept here rather than imported from subgraphs/: the engine
 * depends on no product folder (DESIGN.md, "Layout").
 */
export const DATA_HOLDER_IDS = [
  'civil-status',
  'family-benefits',
  'tax',
  'employment',
  'education',
] as const satisfies readonly DataHolderId[];

// Fails to compile when model.ts gains a holder this list lacks.
const everyHolderListed: Exclude<DataHolderId, (typeof DATA_HOLDER_IDS)[number]> extends never
  ? true
  : never = true;
void everyHolderListed;

export function isDataHolderId(name: string): name is DataHolderId {
  return (DATA_HOLDER_IDS as readonly string[]).includes(name);
}
