import { randomUUID } from 'node:crypto';
import type { BindOutcome, CredentialSource, GatewayMode, RequestHeaders } from './boundRequest.js';
import { fromSandboxHeaders } from './fromSandboxHeaders.js';
import { noCredentialsYet } from './noCredentialsYet.js';

/** A W3C trace id (32 lower-case hex digits), until OpenTelemetry provides the real one. */
function newTraceId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The credential source of each mode. Authentication replaces production's (and later the sandbox's). */
export function credentialSourceFor(mode: GatewayMode): CredentialSource {
  return mode === 'sandbox' ? fromSandboxHeaders : noCredentialsYet;
}

export type RequestBinder = {
  readonly mode: GatewayMode;
  readonly source: CredentialSource;
  bind(headers: RequestHeaders): BindOutcome;
};

/**
 * Binds each request to who asks and for which purpose, with fresh request
 * and trace ids. Nothing is checked against the policies here: that is the
 * purpose binding's job, on the policy snapshot the request is served with.
 */
export function createRequestBinder(
  mode: GatewayMode,
  source: CredentialSource = credentialSourceFor(mode),
): RequestBinder {
  return {
    mode,
    source,
    bind(headers) {
      const requestId = randomUUID();
      const traceId = newTraceId();
      const outcome = source.read(headers);
      switch (outcome.kind) {
        case 'claims':
          return { kind: 'bound', request: { mode, ...outcome.claims, requestId, traceId } };
        case 'absent':
          return { kind: 'anonymous', mode, requestId, traceId, missing: outcome.missing };
        case 'refused':
          return { kind: 'refused', requestId, traceId, error: outcome.error };
      }
    },
  };
}
