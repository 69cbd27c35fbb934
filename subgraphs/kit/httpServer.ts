import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import {
  CONTEXT_REFUSAL_STATUS,
  GATEWAY_CONTEXT_HEADER,
  type GatewayContextClaims,
  type GatewayContextRefusal,
  type GatewayContextVerification,
} from './gatewayContext.js';
import { isServiceOperation } from './serviceScope.js';
import { type HolderRequestSpan, traceHolderRequest } from './telemetry.js';

/** Subgraph requests come from the gateway; anything bigger is not a GraphQL query of ours. */
const MAX_BODY_BYTES = 1024 * 1024;

class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type ListeningServer = { server: Server; url: string; port: number };

/**
 * HTTPS with mutual authentication: the holder presents `cert` and accepts
 * only clients (the gateway) whose certificate `clientCa` signed. PEM text.
 */
export type HolderTls = Readonly<{ cert: string; key: string; clientCa: string }>;

/** The message of every refusal: whoever calls directly learns where to go instead. */
function contextRefusalMessage(refusal: GatewayContextRefusal): string {
  return `This data holder only answers the passerelle gateway, whose requests carry a signed Passerelle-Context header: ${refusal.reason}. Send your query to the gateway.`;
}

/**
 * Serves an Apollo Server on a plain `node:http` (or, given `tls`,
 * `node:https`) server: `/graphql` and a `/health` liveness probe. Plain
 * rather than a framework so that a request can be wrapped whole.
 *
 * Every `/graphql` request must carry the gateway's signed context
 * (`verifyContext`) before its body is even read: 401 `CONTEXT_MISSING` or
 * `CONTEXT_INVALID` otherwise. A service-scope context may only read the
 * schema or probe (403 `CONTEXT_SCOPE_DENIED` for anything else). `/health`
 * stays open: it says nothing but "up".
 */
export async function listenGraphQL<Context extends BaseContext>(options: {
  apollo: ApolloServer<Context>;
  /** Builds the request's context from the verified gateway context. */
  context: (request: IncomingMessage, gatewayContext: GatewayContextClaims) => Promise<Context>;
  verifyContext: (header: string | undefined) => Promise<GatewayContextVerification>;
  host: string;
  port: number;
  tls?: HolderTls | undefined;
}): Promise<ListeningServer> {
  const { apollo, context, verifyContext, tls } = options;
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, errorBody('Unexpected error.', 'INTERNAL_SERVER_ERROR'));
      else response.destroy(error instanceof Error ? error : undefined);
    });
  };
  const server: Server =
    tls === undefined
      ? createServer(onRequest)
      : createTlsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ca: tls.clientCa,
            requestCert: true,
            rejectUnauthorized: true,
          },
          onRequest,
        );

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://subgraph');
    if (url.pathname === '/health' && request.method === 'GET') {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (url.pathname !== '/graphql') {
      sendJson(
        response,
        404,
        errorBody(`No route ${url.pathname}: use /graphql or /health.`, 'NOT_FOUND'),
      );
      return;
    }
    // Inside its server span, continuing the gateway's trace (`traceparent`).
    await traceHolderRequest(request, response, (span) =>
      serveGraphQL(request, response, url, span),
    );
  }

  async function serveGraphQL(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    span: HolderRequestSpan,
  ): Promise<void> {
    const header = request.headers[GATEWAY_CONTEXT_HEADER];
    const verification = await verifyContext(typeof header === 'string' ? header : undefined);
    if (verification.ok) span.annotate(verification.context);
    if (!verification.ok) {
      const { refusal } = verification;
      sendJson(
        response,
        CONTEXT_REFUSAL_STATUS[refusal.code],
        { errors: [{ message: contextRefusalMessage(refusal), extensions: { ...refusal } }] },
        { 'www-authenticate': 'Passerelle-Context' },
      );
      return;
    }
    let body: unknown;
    try {
      body = await readJsonBody(request);
    } catch (error) {
      if (error instanceof RequestBodyError) {
        sendJson(response, error.status, errorBody(error.message, 'BAD_REQUEST'));
        return;
      }
      throw error;
    }
    if (verification.context.scope === 'service') {
      const query =
        request.method === 'POST'
          ? (body as { query?: unknown } | undefined)?.query
          : url.searchParams.get('query');
      if (!isServiceOperation(query)) {
        sendJson(
          response,
          CONTEXT_REFUSAL_STATUS.CONTEXT_SCOPE_DENIED,
          errorBody(
            'A service context (no purpose) may only run { _service { sdl } } and { __typename }.',
            'CONTEXT_SCOPE_DENIED',
          ),
        );
        return;
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: () => context(request, verification.context),
    });
    response.statusCode = result.status ?? 200;
    for (const [name, value] of result.headers) response.setHeader(name, value);
    // Subgraph answers carry personal data: no cache anywhere on the way.
    response.setHeader('cache-control', 'no-store');
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  }

  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const scheme = tls === undefined ? 'http' : 'https';
  return { server, port, url: `${scheme}://${options.host}:${port}/graphql` };
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  if (request.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new RequestBodyError(413, `Request body over ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestBodyError(400, 'Request body is not valid JSON.');
  }
}

function errorBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

/**
 * Stops accepting, lets in-flight requests finish (up to `graceMs`), then
 * closes what is left, idle keep-alive sockets included.
 */
export async function closeServer(server: Server, graceMs = 5_000): Promise<void> {
  const closed = new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
