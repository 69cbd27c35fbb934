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

/**
 * Where data holders keep their own access logs (DOMAIN.md T2):
 * `<dataDir>/holder-logs/<holder>-access-log.sqlite`. Not in `holders/`:
 * the sandbox generator replaces that folder whole when it regenerates the
 * dataset, and a log must outlive the data it traces.
 */
export function holderLogsFolder(dataDir: string): string {
  return join(dataDir, 'holder-logs');
}

export function holderAccessLogPath(dataDir: string, holder: DataHolderName): string {
  return join(holderLogsFolder(dataDir), `${holder}-access-log.sqlite`);
}

/**
 * The holder's own subject reference key, `<dataDir>/keys/<holder>-subject-reference.key`:
 * beside the other keys, away from the log it keys.
 */
export function holderSubjectReferenceKeyPath(dataDir: string, holder: DataHolderName): string {
  return join(dataDir, 'keys', `${holder}-subject-reference.key`);
}
