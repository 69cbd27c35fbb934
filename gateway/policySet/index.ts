import { formatProblems, type PolicyStore, startPolicyStore } from '../../policies/engine/index.js';
import type { Logger } from '../logging/index.js';

export { PolicyLoadError, type PolicyStore } from '../../policies/engine/index.js';

/**
 * The gateway's policies: checked against the whole supergraph, hot-reloaded,
 * every load and refused edit logged. Throws `PolicyLoadError` when the files
 * are invalid at start: the gateway does not start without valid policies.
 */
export function startGatewayPolicies(options: {
  dir: string;
  supergraphSdl: string;
  logger: Logger;
  /** Reload when the files change (default true). */
  watch?: boolean;
}): PolicyStore {
  const { dir, logger } = options;
  const policies = startPolicyStore({
    dir,
    schemaSdl: options.supergraphSdl,
    scope: { kind: 'supergraph' },
    ...(options.watch === undefined ? {} : { watch: options.watch }),
    onWarnings(warnings) {
      logger.warn({ dir, warnings: formatProblems(warnings) }, 'policy warnings');
    },
    onReload(next, previous) {
      logger.info({ dir, policyVersion: next.version, previous }, 'policies reloaded');
    },
    onProblems(problems) {
      logger.error(
        { dir, policyVersion: policies.current().version, problems: formatProblems(problems) },
        'policy change refused: the last valid version keeps serving',
      );
    },
  });
  const { version, purposes, reusers } = policies.current();
  logger.info(
    { dir, policyVersion: version, purposes: purposes.size, reusers: reusers.size },
    'policies loaded',
  );
  return policies;
}
