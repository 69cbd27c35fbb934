import { randomUUID } from 'node:crypto';
import type {
  BindOutcome,
  ClientInfo,
  CredentialSource,
  GatewayMode,
  RequestHeaders,
} from './boundRequest.js';

/** A W3C trace id (32 lower-case hex digits), until OpenTelemetry provides the real one. */
function newTraceId(): string {
  return randomUUID().replaceAll('-', '');
}

export type RequestBinder = {
  readonly mode: GatewayMode;
  readonly source: CredentialSource;
  bind(headers: RequestHeaders, client: ClientInfo): Promise<BindOutcome>;
};

/**
 * Binds each request to who asks and for which purpose, with fresh request
 * and trace ids. Nothing is checked against the policies here: that is the
 * purpose binding's job, on the policy snapshot the request is served with.
 */
export function createRequestBinder(mode: GatewayMode, source: CredentialSource): RequestBinder {
  return {
    mode,
    source,
    async bind(headers, client) {
      const requestId = randomUUID();
      const traceId = newTraceId();
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
