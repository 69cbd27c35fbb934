import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import type { KeysRequest, KeysResponse } from '../authentication/index.js';
import type { ClientInfo } from '../boundRequest/index.js';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { PersonRoutes } from '../personAccess/index.js';
import type { SubgraphProbe } from '../subgraphClient/index.js';
import { TRACE_RESPONSE_HEADERS, traceHttpRequest } from '../telemetry/index.js';
import { mediaTypeOf, readJsonBody } from './requestBody.js';

export type RequestHandlerOptions = {
  /** Serves a GraphQL request once the HTTP layer has read it (the request pipeline). */
  serveGraphQL: (request: HTTPGraphQLRequest, client: ClientInfo) => Promise<HTTPGraphQLResponse>;
  /** A re-user's own keys: `GET /keys`, `POST /keys/revoke`. */
  serveKeys: (request: KeysRequest) => Promise<KeysResponse>;
  /** The counters in Prometheus text format, for `GET /metrics`. */
  metricsText: () => string;
  /** A person's access history (`/me/accesses`) and the sandbox identity provider. */
  personRoutes?: PersonRoutes;
  /** Probes every subgraph for `/ready`. */
  probeSubgraphs: () => Promise<SubgraphProbe[]>;
  /**
   * Browser origins allowed to call `/graphql` across sites (CORS). Empty:
   * no CORS header is ever sent, so browsers on other sites cannot read answers.
   */
  corsOrigins?: readonly string[];
  logger: Logger;
};

/** Response headers a browser page on an allowed origin may read. */
const CORS_EXPOSED_HEADERS = [
  'passerelle-request-id',
  'passerelle-policy-version',
  TRACE_RESPONSE_HEADERS.traceId,
  TRACE_RESPONSE_HEADERS.traceparent,
].join(', ');
/** How long a browser may cache a preflight answer, in seconds. */
const CORS_MAX_AGE_SECONDS = 600;

/**
 * The CORS headers for a request, when its `Origin` is one of `allowed`;
 * none otherwise. Credentials (cookies) are never allowed: re-users
 * authenticate with a signed assertion in a header, not with cookies.
 */
function corsHeadersFor(
  request: IncomingMessage,
  allowed: readonly string[],
): Record<string, string> | undefined {
  const { origin } = request.headers;
  if (typeof origin !== 'string' || !allowed.includes(origin)) return undefined;
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSED_HEADERS,
    vary: 'Origin',
  };
}

/** Answers a CORS preflight from an allowed origin; false when it is not one. */
function servePreflight(
  request: IncomingMessage,
  response: ServerResponse,
  allowed: readonly string[],
): boolean {
  const cors = corsHeadersFor(request, allowed);
  const requestedMethod = request.headers['access-control-request-method'];
  if (cors === undefined || typeof requestedMethod !== 'string') return false;
  const requestedHeaders = request.headers['access-control-request-headers'];
  response.writeHead(204, {
    ...cors,
    'access-control-allow-methods': 'GET, POST',
    ...(typeof requestedHeaders === 'string'
      ? { 'access-control-allow-headers': requestedHeaders }
      : {}),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    'cache-control': 'no-store',
  });
  response.end();
  return true;
}

type JsonHeaders = Readonly<Record<string, string>>;

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: JsonHeaders = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  response.end(payload);
}

function sendError(
  response: ServerResponse,
  error: PasserelleError,
  headers: JsonHeaders = {},
): void {
  sendJson(response, error.status, error.toResponseBody(), headers);
}

function methodNotAllowed(
  response: ServerResponse,
  method: string,
  allowed: readonly string[],
): void {
  const error = new PasserelleError('METHOD_NOT_ALLOWED', {
    method,
    allowed: allowed.join(' or '),
  });
  sendError(response, error, { allow: allowed.join(', ') });
}

async function writeGraphQLResponse(
  response: ServerResponse,
  result: HTTPGraphQLResponse,
): Promise<void> {
  response.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) response.setHeader(name, value);
  // GraphQL responses carry personal data: no cache anywhere on the way,
  // whatever cache hints the subgraphs gave.
  response.setHeader('cache-control', 'no-store');
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

/** The client as the socket sees it (no proxy header is trusted). */
function clientOf(request: IncomingMessage): ClientInfo {
  return { address: request.socket.remoteAddress ?? 'unknown' };
}

function headerMapOf(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * The JSON body of a POST; `undefined` after answering the error itself.
 * Only JSON is read. Checked before Apollo's CSRF prevention, which would
 * otherwise answer a bare 400 to the "simple" types a browser form sends.
 */
async function readPostedJson(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<{ body: unknown } | undefined> {
  if (mediaTypeOf(request.headers['content-type']) !== 'application/json') {
    sendError(response, new PasserelleError('UNSUPPORTED_MEDIA_TYPE'));
    return undefined;
  }
  try {
    return { body: await readJsonBody(request) };
  } catch (error) {
    if (!(error instanceof PasserelleError)) throw error;
    // After a refused body the rest of it may still be on the wire.
    sendError(response, error, error.code === 'PAYLOAD_TOO_LARGE' ? { connection: 'close' } : {});
    return undefined;
  }
}

async function serveGraphQL(
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
  serveGraphQLRequest: RequestHandlerOptions['serveGraphQL'],
): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    methodNotAllowed(response, method, ['GET', 'POST']);
    return;
  }
  let body: unknown;
  if (method === 'POST') {
    const posted = await readPostedJson(request, response);
    if (posted === undefined) return;
    body = posted.body;
    // A batch (a JSON array of operations) would multiply every per-request
    // limit by its length; Apollo Server refuses it too, but as a bare BAD_REQUEST.
    if (Array.isArray(body)) {
      sendError(response, new PasserelleError('BATCH_NOT_SUPPORTED'));
      return;
    }
  }
  const headers = headerMapOf(request);
  const result = await serveGraphQLRequest({ method, headers, search, body }, clientOf(request));
  await writeGraphQLResponse(response, result);
}

async function serveKeys(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  serveKeysRequest: RequestHandlerOptions['serveKeys'],
): Promise<void> {
  const method = request.method ?? 'GET';
  let body: unknown;
  if (method === 'POST') {
    const posted = await readPostedJson(request, response);
    if (posted === undefined) return;
    body = posted.body;
  }
  const result = await serveKeysRequest({
    method,
    path,
    headers: headerMapOf(request),
    body,
    client: clientOf(request),
  });
  sendJson(response, result.status, result.body, result.headers);
}

async function serveReadiness(
  response: ServerResponse,
  probeSubgraphs: () => Promise<SubgraphProbe[]>,
) {
  const subgraphs = await probeSubgraphs();
  const ready = subgraphs.every((probe) => probe.status === 'up');
  sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', subgraphs });
}

async function servePersons(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  routes: PersonRoutes,
): Promise<void> {
  const method = request.method ?? 'GET';
  const allowed = routes.methodOf(path) ?? 'GET';
  if (method !== allowed) return methodNotAllowed(response, method, [allowed]);
  let body: unknown;
  if (method === 'POST') {
    const posted = await readPostedJson(request, response);
    if (posted === undefined) return;
    body = posted.body;
  }
  const result = await routes.serve({ path, headers: headerMapOf(request), body });
  sendJson(response, result.status, result.body, result.headers);
}

/**
 * The gateway's HTTP routes on a plain `node:http` server. Plain rather than
 * Apollo's standalone server: each request must be wrapped whole (its trace
 * context and server span, `telemetry/`), and the standalone server adds
 * permissive CORS and a 50 MB body limit.
 *
 * Every request but the probes is served inside its `passerelle.request`
 * span, and its response carries `Passerelle-Trace-Id` and `traceparent`.
 *
 * - `POST|GET /graphql`: GraphQL over HTTP, through the request pipeline;
 *   `OPTIONS` answers CORS preflights from the configured origins only.
 * - `GET /health`: liveness; 200 as long as the process serves HTTP.
 * - `GET /ready`: readiness; 200 only when every subgraph answers a probe,
 *   else 503 listing which subgraph is down and why.
 * - `GET /metrics`: counters (refusals per code) in Prometheus text format.
 * - `GET /keys`, `POST /keys/revoke`: a re-user's own keys (`authentication/`).
 * - `GET /me/accesses`: a person's access history; `/sandbox-idp/...`: the
 *   sandbox's identity provider (`personAccess/`).
 * Anything else is a catalogue error as GraphQL-shaped JSON, never a stack.
 */
export function createRequestHandler(
  options: RequestHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const {
    serveGraphQL: serveGraphQLRequest,
    serveKeys: serveKeysRequest,
    probeSubgraphs,
    logger,
  } = options;
  const corsOrigins = options.corsOrigins ?? [];

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const search = queryStart === -1 ? '' : target.slice(queryStart);
    switch (path) {
      case '/graphql': {
        if (request.method === 'OPTIONS' && servePreflight(request, response, corsOrigins)) return;
        const cors = corsHeadersFor(request, corsOrigins);
        if (cors !== undefined) {
          for (const [name, value] of Object.entries(cors)) response.setHeader(name, value);
        }
        return serveGraphQL(request, response, search, serveGraphQLRequest);
      }
      case '/health':
        if (request.method !== 'GET')
          return methodNotAllowed(response, request.method ?? '', ['GET']);
        return sendJson(response, 200, { status: 'ok' });
      case '/ready':
        if (request.method !== 'GET')
          return methodNotAllowed(response, request.method ?? '', ['GET']);
        return serveReadiness(response, probeSubgraphs);
      case '/metrics':
        if (request.method !== 'GET') {
          return methodNotAllowed(response, request.method ?? '', ['GET']);
        }
        response.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'cache-control': 'no-store',
        });
        response.end(options.metricsText());
        return;
      case '/keys':
      case '/keys/revoke':
        return serveKeys(request, response, path, serveKeysRequest);
      default:
        if (options.personRoutes?.methodOf(path) !== undefined) {
          return servePersons(request, response, path, options.personRoutes);
        }
        return sendError(response, new PasserelleError('NOT_FOUND'));
    }
  }

  return (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    // Liveness and readiness probes come every few seconds from the
    // orchestrator: a span each would drown the requests in the traces.
    const probe = path === '/health' || path === '/ready';
    const served = probe
      ? route(request, response)
      : traceHttpRequest(request, response, path, () => route(request, response));
    served.catch((error: unknown) => {
      logger.error({ err: error, path }, 'request failed unexpectedly');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendError(response, new PasserelleError('INTERNAL_SERVER_ERROR'), { connection: 'close' });
    });
  };
}
