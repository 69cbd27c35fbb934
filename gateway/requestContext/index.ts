import type { PolicySet } from '../../policies/engine/index.js';
import type { GatewayMode } from '../boundRequest/index.js';
import type { PurposeBinding } from '../purposeBinding/index.js';

/**
 * The per-request value every stage after binding reads (Apollo Server's
 * context value). Built once by the pipeline, never mutated: a stage that
 * needs to remember something per request keys a WeakMap by this object.
 */
export type GatewayContext = Readonly<{
  requestId: string;
  traceId: string;
  mode: GatewayMode;
  /** Today in Europe/Paris (`YYYY-MM-DD`), fixed for the whole request. */
  today: string;
  /**
   * The policies this request is decided with: one snapshot taken when it
   * arrived, so that a reload in the middle never mixes two versions.
   */
  policySet: PolicySet;
  caller: Caller;
}>;

/**
 * Who the request is served for:
 * - `purpose`: a re-user under a purpose, both checked against `policySet`;
 * - `anonymous`: no credentials, sandbox only. Served for `__typename` and
 *   introspection alone; `missing` says what to send for anything else.
 */
export type Caller =
  | Readonly<{ kind: 'purpose'; binding: PurposeBinding }>
  | Readonly<{ kind: 'anonymous'; missing: readonly string[] }>;

/**
 * The headers the gateway sends with every subgraph call, for the data
 * holders' own policy enforcement and log (defence in depth). Lower case:
 * HTTP header names are case-insensitive, and Node sends them as given.
 */
export const SUBGRAPH_HEADERS = {
  purpose: 'passerelle-purpose',
  reuser: 'passerelle-reuser',
  policyVersion: 'passerelle-policy-version',
  requestId: 'passerelle-request-id',
} as const;

/** Every header of ours starts with this: a subgraph call carries only those the gateway sets. */
export const PASSERELLE_HEADER_PREFIX = 'passerelle-';

/** The headers for one subgraph call made on behalf of `context`. */
export function subgraphHeadersFor(context: GatewayContext): Readonly<Record<string, string>> {
  const always = {
    [SUBGRAPH_HEADERS.policyVersion]: context.policySet.version,
    [SUBGRAPH_HEADERS.requestId]: context.requestId,
  };
  if (context.caller.kind === 'anonymous') return always;
  const { request } = context.caller.binding;
  return {
    [SUBGRAPH_HEADERS.purpose]: request.purposeId,
    [SUBGRAPH_HEADERS.reuser]: request.reuserId,
    ...always,
  };
}
