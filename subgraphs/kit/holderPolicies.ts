import { type DocumentNode, print } from 'graphql';
import {
  fixedPolicyStore,
  formatProblems,
  type PolicyProblem,
  type PolicySet,
  type PolicyStore,
  startPolicyStore,
} from '../../policies/engine/index.js';
import type { DataHolderName } from './dataHolder.js';

/** The policies a running holder enforces: the last valid set. */
export type HolderPolicies = PolicyStore;

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
 * Loads the holder's policies, compiled against the fields it serves, and
 * keeps them fresh as the files change. Throws `PolicyLoadError` when there
 * is no valid set to start with: a holder without policies would refuse
 * everything.
 */
export function watchHolderPolicies(options: HolderPoliciesOptions): HolderPolicies {
  return startPolicyStore({
    dir: options.dir,
    schemaSdl: print(options.typeDefs),
    scope: { kind: 'holder', holder: options.holder },
    onReload: (next) => options.onReload?.(next),
    onProblems: (problems) => options.onProblems?.(problems, formatProblems(problems)),
  });
}

/** A fixed policy set, for tests and tools. */
export const fixedHolderPolicies: (policies: PolicySet) => HolderPolicies = fixedPolicyStore;
