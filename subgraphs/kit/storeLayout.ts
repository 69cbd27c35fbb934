import { join } from 'node:path';
import type { DataHolderName } from './dataHolder.js';

/**
 * Where data holders' stores live in a data folder: `<dataDir>/holders/<holder>.sqlite`.
 * The sandbox generator writes there and each holder process reads from there.
 */
export function holdersFolder(dataDir: string): string {
  return join(dataDir, 'holders');
}

export function storeFileName(holder: DataHolderName): string {
  return `${holder}.sqlite`;
}

export function holderStorePath(dataDir: string, holder: DataHolderName): string {
  return join(holdersFolder(dataDir), storeFileName(holder));
}
