import type { PasserelleError } from '../errors/index.js';

/** The mode the gateway runs in: the sandbox (fictitious data) or production. */
export type GatewayMode = 'sandbox' | 'production';

/**
 * Every GraphQL request becomes this one value before anything else runs
 * (DECISIONS.md section 1). Later stages, log lines, subgraph calls and the
 * access log read who asks and for which purpose from here, never from the
 * request's headers.
 */
export type BoundRequest = Readonly<{
  mode: GatewayMode;
  /** Organisation id, from `policies/reusers/*.yaml`. */
  reuserId: string;
  /** Purpose id, from `policies/purposes/*.yaml`. */
  purposeId: string;
  /** The person or service inside the re-user who asks; logged (DOMAIN.md T1). */
  agent: string;
  /** File or case reference, when given; some purposes require it. */
  reason?: string;
  /** Unique per request; also the access-log key. */
  requestId: string;
  /** The request span's W3C trace id (32 hex digits), returned in `Passerelle-Trace-Id`. */
  traceId: string;
  /** The client's IP address, as the gateway's socket sees it. */
  clientAddress: string;
  /** The id of the re-user key the request was authenticated with. */
  keyId: string;
}>;

/** A claim a purpose may require (`traceability.requiredClaims`). */
export type TraceabilityClaim = 'agent' | 'reason';

/** What a request says about who asks and why, as read by a credential source. */
export type PurposeClaims = Readonly<{
  reuserId: string;
  purposeId: string;
  agent: string;
  reason?: string;
  keyId: string;
}>;

/** What the gateway knows of the client besides its headers. */
export type ClientInfo = Readonly<{ address: string }>;

/**
 * What a credential source makes of a request:
 * - `claims`: who asks and for which purpose (not yet checked against the policies);
 * - `absent`: the request carries no credentials at all. Only the sandbox
 *   serves such requests, and only for `__typename` and introspection;
 *   `missing` names what the client must send for anything else;
 * - `refused`: the credentials are unusable; the request stops here.
 */
export type CredentialOutcome =
  | { kind: 'claims'; claims: PurposeClaims }
  | { kind: 'absent'; missing: readonly string[] }
  | { kind: 'refused'; error: PasserelleError; claimedReuser?: string };

/** Request headers, lower-case names (Apollo's `HeaderMap` satisfies it). */
export type RequestHeaders = { get(name: string): string | undefined };

/**
 * Where the bound request's claims come from: in both modes, a client
 * assertion the re-user signs (`authentication/`).
 */
export type CredentialSource = {
  read(headers: RequestHeaders, client: ClientInfo): Promise<CredentialOutcome>;
  /** Where a claim is read from, for messages: `the Passerelle-Reason header`. */
  whereIs(claim: TraceabilityClaim | 'reuser' | 'purpose'): string;
};

/** The outcome of binding one request. */
export type BindOutcome =
  | { kind: 'bound'; request: BoundRequest }
  | {
      kind: 'anonymous';
      mode: GatewayMode;
      requestId: string;
      traceId: string;
      /** What to send for anything but the schema. */
      missing: readonly string[];
    }
  | {
      kind: 'refused';
      requestId: string;
      traceId: string;
      error: PasserelleError;
      /** The re-user the credentials claimed (unverified), for the log. */
      claimedReuser?: string;
    };
