import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `policies/` folder of the repository the engine at `engineDir` belongs
 * to. From sources the engine is `policies/engine/`; compiled, it is
 * `dist/policies/engine/` while the YAML files stay in the repository's
 * `policies/` (tsc copies no YAML).
 */
export function policiesDirOf(engineDir: string): string {
  return basename(resolve(engineDir, '../..')) === 'dist'
    ? resolve(engineDir, '../../../policies')
    : resolve(engineDir, '..');
}

/** The repository's `policies/` folder, absolute. */
export const DEFAULT_POLICIES_DIR: string = policiesDirOf(dirname(fileURLToPath(import.meta.url)));
