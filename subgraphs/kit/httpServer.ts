import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';

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
 * Serves an Apollo Server on a plain `node:http` server: `/graphql` and a
 * `/health` liveness probe. Plain http rather than a framework so that a
 * request can be wrapped whole (trace context, gateway signature checks).
 */
export async function listenGraphQL<Context extends BaseContext>(options: {
  apollo: ApolloServer<Context>;
  context: (request: IncomingMessage) => Promise<Context>;
  host: string;
  port: number;
}): Promise<ListeningServer> {
  const { apollo, context } = options;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, errorBody('Unexpected error.', 'INTERNAL_SERVER_ERROR'));
      else response.destroy(error instanceof Error ? error : undefined);
    });
  });

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
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: () => context(request),
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
  return { server, port, url: `http://${options.host}:${port}/graphql` };
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
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
