import type { RequestHeaders } from '../boundRequest/index.js';
import { PasserelleError } from '../errors/index.js';
import type { AccessHistoryResponse } from './accessHistory.js';
import {
  SANDBOX_ID_TOKEN_LIFETIME_SECONDS,
  type SandboxIdentityProvider,
} from './sandboxIdentityProvider.js';

export type PersonRequest = Readonly<{
  path: string;
  headers: RequestHeaders;
  body: unknown;
}>;

export type PersonRoutes = {
  /**
   * The method `path` answers, when it is one of these routes (`/me/...`,
   * `/sandbox-idp/...`); the caller refuses any other method before `serve`.
   */
  methodOf(path: string): string | undefined;
  serve(request: PersonRequest): Promise<AccessHistoryResponse>;
};

/** Person ids of the sandbox: opaque, printable, short. */
const PERSON_ID = /^[\w.-]{1,100}$/;

function errorResponse(error: PasserelleError): AccessHistoryResponse {
  return { status: error.status, body: error.toResponseBody(), headers: error.responseHeaders() };
}

/**
 * The routes persons use: `GET /me/accesses` (their access history), and in
 * the sandbox the built-in identity provider that gives them a token:
 * `GET /sandbox-idp/.well-known/openid-configuration`, `GET /sandbox-idp/jwks`,
 * `POST /sandbox-idp/token` with `{"person": "<person id>"}`.
 */
export function createPersonRoutes(options: {
  history: { serve(headers: RequestHeaders): Promise<AccessHistoryResponse> } | undefined;
  sandboxIdentityProvider: SandboxIdentityProvider | undefined;
  /** The audience of the ID tokens the history accepts. */
  audience: string;
}): PersonRoutes {
  const { history, sandboxIdentityProvider: idp } = options;
  const routes: Record<
    string,
    { method: string; serve(request: PersonRequest): Promise<AccessHistoryResponse> }
  > = {};
  if (history !== undefined) {
    routes['/me/accesses'] = { method: 'GET', serve: (request) => history.serve(request.headers) };
  }
  if (idp !== undefined) {
    routes['/sandbox-idp/.well-known/openid-configuration'] = {
      method: 'GET',
      serve: async () => ({
        status: 200,
        body: {
          issuer: idp.issuer,
          jwks_uri: '/sandbox-idp/jwks',
          token_endpoint: '/sandbox-idp/token',
          id_token_signing_alg_values_supported: ['EdDSA'],
          subject_types_supported: ['public'],
          response_types_supported: ['id_token'],
        },
      }),
    };
    routes['/sandbox-idp/jwks'] = {
      method: 'GET',
      serve: async () => ({ status: 200, body: idp.jwks }),
    };
    routes['/sandbox-idp/token'] = {
      method: 'POST',
      async serve(request) {
        const person = (request.body as { person?: unknown } | undefined)?.person;
        if (typeof person !== 'string' || !PERSON_ID.test(person)) {
          return errorResponse(
            new PasserelleError('BAD_REQUEST', {
              problem:
                'the body must be {"person": "<person id>"}, e.g. the id of a named person of subgraphs/sandbox/namedPeople.ts.',
            }),
          );
        }
        return {
          status: 200,
          body: {
            id_token: await idp.issueToken(person, options.audience),
            token_type: 'Bearer',
            expires_in: SANDBOX_ID_TOKEN_LIFETIME_SECONDS,
          },
        };
      },
    };
  }
  return {
    methodOf: (path) => (Object.hasOwn(routes, path) ? routes[path]?.method : undefined),
    // The HTTP layer has checked the method (`methodOf`) before reading any body.
    async serve(request) {
      const route = routes[request.path];
      if (route === undefined) return errorResponse(new PasserelleError('NOT_FOUND'));
      return route.serve(request);
    },
  };
}
