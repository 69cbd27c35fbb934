import type { IncomingMessage } from 'node:http';
import { PasserelleError } from '../errors/index.js';

/**
 * Largest request body accepted, variables included. A GraphQL query for a
 * purpose is a few kilobytes; a megabyte leaves room for long variable lists
 * while keeping one request from holding much memory.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

function tooLarge(): PasserelleError<'PAYLOAD_TOO_LARGE'> {
  return new PasserelleError('PAYLOAD_TOO_LARGE', { limitBytes: MAX_REQUEST_BODY_BYTES });
}

/**
 * Reads and parses a JSON request body of at most `MAX_REQUEST_BODY_BYTES`.
 * Throws PAYLOAD_TOO_LARGE as soon as the limit is passed (or announced by
 * Content-Length), and BAD_REQUEST when the body is not JSON.
 */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES) throw tooLarge();
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        // Stop buffering; the caller answers 413 and closes the connection.
        request.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    request.once('error', reject);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new PasserelleError('BAD_REQUEST', {
      problem:
        'the body is not valid JSON. Send a JSON object such as {"query": "{ __typename }"}.',
    });
  }
}
