import { randomUUID } from 'node:crypto';
import { currentTraceId } from '../telemetry/index.js';
import type {
  BindOutcome,
  ClientInfo,
  CredentialSource,
  GatewayMode,
  RequestHeaders,
} from './boundRequest.js';

export type RequestBinder = {
  readonly mode: GatewayMode;
  readonly source: CredentialSource;
  bind(headers: RequestHeaders, client: ClientInfo): Promise<BindOutcome>;
};

/**
 * Binds each request to who asks and for which purpose, with a fresh request
 * id and the trace id of the span it is served in. Nothing is checked against the policies here: that is the
 * purpose binding's job, on the policy snapshot the request is served with.
 */
export function createRequestBinder(mode: GatewayMode, source: CredentialSource): RequestBinder {
  return {
    mode,
    source,
    async bind(headers, client) {
      const requestId = randomUUID();
      // The trace id of the request's server span (telemetry/), the client's
      // own when it sent a traceparent: log records and traces meet on it.
      const traceId = currentTraceId();
      const outcome = await source.read(headers, client);
      switch (outcome.kind) {
        case 'claims':
          return {
            kind: 'bound',
            request: { mode, ...outcome.claims, requestId, traceId, clientAddress: client.address },
          };
        case 'absent':
          return { kind: 'anonymous', mode, requestId, traceId, missing: outcome.missing };
        case 'refused':
          return {
            kind: 'refused',
            requestId,
            traceId,
            error: outcome.error,
            ...(outcome.claimedReuser === undefined
              ? {}
              : { claimedReuser: outcome.claimedReuser }),
          };
      }
    },
  };
}
