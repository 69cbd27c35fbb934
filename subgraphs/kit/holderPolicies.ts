import { type DocumentNode, print } from 'graphql';
import {
  formatProblems,
  loadPolicySet,
  type PolicyProblem,
  type PolicySet,
  watchPolicySet,
} from '../../policies/engine/index.js';
import type { DataHolderName } from './dataHolder.js';

/** The policies a running holder enforces: the last valid set. */
export type HolderPolicies = {
  current(): PolicySet;
  /** Stops watching the policy files (no-op for a fixed set). */
  stop(): void;
};

/** The policy files could not be loaded at start; `message` lists every problem, located. */
export class HolderPoliciesError extends Error {
  override readonly name = 'HolderPoliciesError';
  constructor(
    readonly dir: string,
    readonly problems: readonly PolicyProblem[],
  ) {
    super(`cannot load the policies in ${dir}:\n${formatProblems(problems)}`);
  }
}

export type HolderPoliciesOptions = {
  /** The policy folder (`purposes/`, `reusers/`). */
  dir: string;
  holder: DataHolderName;
  /** The holder's own SDL: the policies are compiled against the fields it serves. */
  typeDefs: DocumentNode;
  /** A reload succeeded: the new set serves from now on. */
  onReload?: (policies: PolicySet) => void;
  /** A reload failed: the last valid set keeps serving. */
  onProblems?: (problems: readonly PolicyProblem[], formatted: string) => void;
};

/**
 * Loads the holder's policies, and keeps them fresh as the files change. A
 * bad edit never takes the holder down: the last valid set keeps serving and
 * the problems are reported. Throws `HolderPoliciesError` when there is no
 * valid set to start with: a holder without policies would refuse everything.
 */
export function watchHolderPolicies(options: HolderPoliciesOptions): HolderPolicies {
  const source = {
    dir: options.dir,
    schemaSdl: print(options.typeDefs),
    scope: { kind: 'holder', holder: options.holder } as const,
  };
  const loaded = loadPolicySet(source);
  if (!loaded.ok) throw new HolderPoliciesError(options.dir, loaded.problems);
  let current = loaded.policySet;
  const watcher = watchPolicySet({
    ...source,
    // Files edited between the load above and now are reloaded too.
    currentVersion: current.version,
    onChange(policySet) {
      current = policySet;
      options.onReload?.(policySet);
    },
    onProblems(problems) {
      options.onProblems?.(problems, formatProblems(problems));
    },
  });
  return {
    current: () => current,
    stop: () => watcher.stop(),
  };
}

/** A fixed policy set, for tests and tools. */
export function fixedHolderPolicies(policies: PolicySet): HolderPolicies {
  return { current: () => policies, stop: () => {} };
}
