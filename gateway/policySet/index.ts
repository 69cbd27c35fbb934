import {
  formatProblems,
  loadPolicySet,
  type PolicyProblem,
  type PolicySet,
  watchPolicySet,
} from '../../policies/engine/index.js';
import type { Logger } from '../logging/index.js';

/** The policy files are invalid at start: the gateway does not start. */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';

  constructor(
    readonly dir: string,
    readonly problems: readonly PolicyProblem[],
  ) {
    super(
      `The policies in ${dir} are invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${formatProblems(problems)}`,
    );
  }
}

/** The policy set the gateway serves with, kept current as the files change. */
export type PolicyStore = {
  /** The current version. A request takes it once and keeps it to the end. */
  current(): PolicySet;
  /** Stops watching the files. Idempotent. */
  stop(): void;
};

/**
 * Loads the policies against the supergraph, then watches the files: a valid
 * edit becomes the current version (within about a second); an invalid one
 * is logged with its problems and the last valid version keeps serving.
 * Throws `PolicyLoadError` when the files are invalid at start.
 */
export function startPolicyStore(options: {
  dir: string;
  supergraphSdl: string;
  logger: Logger;
  /** Reload when the files change (default true). */
  watch?: boolean;
}): PolicyStore {
  const { dir, supergraphSdl, logger } = options;
  const scope = { kind: 'supergraph' } as const;
  const loaded = loadPolicySet({ dir, schemaSdl: supergraphSdl, scope });
  if (!loaded.ok) throw new PolicyLoadError(dir, loaded.problems);
  if (loaded.warnings.length > 0) {
    logger.warn({ dir, warnings: formatProblems(loaded.warnings) }, 'policy warnings');
  }
  let current = loaded.policySet;
  logger.info(
    {
      dir,
      policyVersion: current.version,
      purposes: current.purposes.size,
      reusers: current.reusers.size,
    },
    'policies loaded',
  );
  if (options.watch === false) return { current: () => current, stop() {} };

  const watcher = watchPolicySet({
    dir,
    schemaSdl: supergraphSdl,
    scope,
    // Edits made between the load above and this watch are reloaded too.
    currentVersion: current.version,
    onChange(next) {
      if (next.version === current.version) return;
      const previous = current.version;
      current = next;
      logger.info({ dir, policyVersion: next.version, previous }, 'policies reloaded');
    },
    onProblems(problems) {
      logger.error(
        { dir, policyVersion: current.version, problems: formatProblems(problems) },
        'policy change refused: the last valid version keeps serving',
      );
    },
  });
  let stopped = false;
  return {
    current: () => current,
    stop() {
      if (stopped) return;
      stopped = true;
      watcher.stop();
    },
  };
}
