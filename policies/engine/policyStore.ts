import { formatProblems } from './formatProblems.js';
import { loadPolicySet } from './loadPolicySet.js';
import type { PolicyProblem, PolicySet } from './model.js';
import type { PolicyScope } from './policyScope.js';
import { watchPolicySet } from './watchPolicySet.js';

/** The policy files are invalid at start: there is no valid set to serve with. */
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

/** The policy set an enforcement point serves with, kept current as the files change. */
export type PolicyStore = {
  /** The current set. A request takes it once and keeps it to the end. */
  current(): PolicySet;
  /** Stops watching the files. Idempotent. */
  stop(): void;
};

export type PolicyStoreOptions = {
  dir: string;
  schemaSdl: string;
  scope: PolicyScope;
  /** Reload when the files change (default true). */
  watch?: boolean;
  /** A valid edit: `next` serves from now on. */
  onReload?: (next: PolicySet, previousVersion: string) => void;
  /** An invalid edit: the last valid set keeps serving. */
  onProblems?: (problems: readonly PolicyProblem[]) => void;
  /** Warnings of the first load (a valid set may still deserve the author's attention). */
  onWarnings?: (warnings: readonly PolicyProblem[]) => void;
};

/**
 * Loads the policies, then watches the files: a valid edit becomes the
 * current set (within about a second); an invalid one is reported and the
 * last valid set keeps serving, so a bad edit never takes anything down.
 * Throws `PolicyLoadError` when the files are invalid at start.
 */
export function startPolicyStore(options: PolicyStoreOptions): PolicyStore {
  const { dir, schemaSdl, scope } = options;
  const loaded = loadPolicySet({ dir, schemaSdl, scope });
  if (!loaded.ok) throw new PolicyLoadError(dir, loaded.problems);
  if (loaded.warnings.length > 0) options.onWarnings?.(loaded.warnings);
  let current = loaded.policySet;
  if (options.watch === false) return fixedPolicyStore(current);

  const watcher = watchPolicySet({
    dir,
    schemaSdl,
    scope,
    // Edits made between the load above and this watch are reloaded too.
    currentVersion: current.version,
    onChange(next) {
      if (next.version === current.version) return;
      const previousVersion = current.version;
      current = next;
      options.onReload?.(next, previousVersion);
    },
    onProblems(problems) {
      options.onProblems?.(problems);
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

/** A set that never changes, for tests and tools. */
export function fixedPolicyStore(policies: PolicySet): PolicyStore {
  return { current: () => policies, stop: () => {} };
}
