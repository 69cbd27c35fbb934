import type { PolicySet } from '../../policies/engine/index.js';
import type { Disclosure } from '../accessRecording/index.js';
import type { GatewayMode } from '../boundRequest/index.js';
import type { PurposeBinding } from '../purposeBinding/index.js';
import type { SubjectTally } from '../subjects/index.js';

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
  /**
   * The persons the response carries, filled in by the subgraph calls from
   * the data holders' reports. The one member that changes during the
   * request: Apollo Server gives stages a shallow copy of this context, so
   * per-request results the pipeline reads afterwards must live in a member.
   */
  subjects: SubjectTally;
  /** The operation and the coordinates it discloses, noted by the pre-flight for the access record. */
  disclosure: Disclosure;
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
 * Every header of ours starts with this. A subgraph call carries only the
 * one the gateway sets, its signed context (`contextToken/`): any other is
 * dropped, whoever set it.
 */
export const PASSERELLE_HEADER_PREFIX = 'passerelle-';
