import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createClientErrorFormatter,
  ERROR_CATALOGUE,
  type ErrorCode,
  PasserelleError,
  renderMessage,
} from '../../../gateway/errors/index.js';

const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const formatError = createClientErrorFormatter(pino({ level: 'silent' }));

/** Fills every placeholder of a template with a visible sample value. */
function sampleParams(code: ErrorCode): Record<string, string> {
  const names = [...ERROR_CATALOGUE[code].message.matchAll(/\{(\w+)\}/g)].map(
    (match) => match[1] ?? '',
  );
  return Object.fromEntries(names.map((name) => [name, `<${name}>`]));
}

describe('error catalogue', () => {
  it.each(codes)('%s has an HTTP status and a message telling the client what to do', (code) => {
    const { status, message } = ERROR_CATALOGUE[code];
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(600);
    expect(message.length).toBeGreaterThan(10);
    const rendered = renderMessage(code, sampleParams(code) as never);
    expect(rendered).not.toMatch(/\{\w+\}/);
  });

  it.each(codes)('%s gives a PasserelleError with its code and status', (code) => {
    const error = new PasserelleError(code, sampleParams(code) as never);
    expect(error.code).toBe(code);
    expect(error.status).toBe(ERROR_CATALOGUE[code].status);
    expect(error.toResponseBody()).toEqual({
      errors: [{ message: error.message, extensions: { code } }],
    });
  });

  it('sets the HTTP status for request errors only', () => {
    expect(new PasserelleError('NOT_FOUND').extensions.http).toEqual({ status: 404 });
    const fieldError = new PasserelleError(
      'SUBGRAPH_UNAVAILABLE',
      { dataHolder: 'tax' },
      { scope: 'field' },
    );
    expect(fieldError.extensions.http).toBeUndefined();
  });
});

describe('client error formatting', () => {
  it('masks errors outside the catalogue as "Unexpected error."', () => {
    const internal = new GraphQLError('connect ECONNREFUSED 10.0.0.7:5432', { path: ['person'] });
    expect(
      formatError(
        {
          message: internal.message,
          path: ['person'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
        internal,
      ),
    ).toEqual({
      message: 'Unexpected error.',
      path: ['person'],
      locations: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it.each(['INTERNAL_SERVER_ERROR', 'GRAPHQL_VALIDATION_FAILED', 'FORBIDDEN'])(
    "masks a subgraph's own %s error",
    (code) => {
      const relayed = {
        message: 'SQLITE_BUSY on persons',
        extensions: { code, serviceName: 'tax' },
      };
      expect(formatError(relayed, new GraphQLError(relayed.message))).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    },
  );

  it("relays a subgraph's BAD_USER_INPUT, which the kit words for the client", () => {
    const relayed = {
      message: 'Argument "taxNumber" must be a 13-digit tax number, for example "3012345678901".',
      path: ['taxpayerByTaxNumber'],
      extensions: {
        code: 'BAD_USER_INPUT',
        serviceName: 'tax',
        argument: 'taxNumber',
        internal: 'x',
      },
    };
    const formatted = formatError(relayed, new GraphQLError(relayed.message));
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'taxNumber' });
    expect(formatted.message).toContain('"taxNumber" must be a 13-digit tax number');
    expect(formatted.path).toEqual(['taxpayerByTaxNumber']);
  });

  it('keeps a PasserelleError found among the original errors', () => {
    const cause = new PasserelleError(
      'SUBGRAPH_UNAVAILABLE',
      { dataHolder: 'tax' },
      { publicExtensions: { serviceName: 'tax' } },
    );
    const wrapped = new GraphQLError('wrapped', { originalError: cause });
    expect(
      formatError({ message: 'wrapped', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, wrapped),
    ).toMatchObject({
      message: cause.message,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'tax' },
    });
  });

  it('words Apollo request errors from the catalogue, keeping their detail', () => {
    const formatted = formatError(
      {
        message: 'Syntax Error: Expected Name, found <EOF>.',
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
      new GraphQLError('Syntax Error: Expected Name, found <EOF>.'),
    );
    expect(formatted.message).toBe(
      renderMessage('GRAPHQL_PARSE_FAILED', {
        detail: 'Syntax Error: Expected Name, found <EOF>.',
      }),
    );
  });

  it('gives refused Accept headers their own code', () => {
    const refused = new GraphQLError('no acceptable type', {
      extensions: { code: 'BAD_REQUEST', http: { status: 406 } },
    });
    expect(
      formatError({ message: refused.message, extensions: { code: 'BAD_REQUEST' } }, refused),
    ).toMatchObject({
      extensions: { code: 'NOT_ACCEPTABLE' },
    });
  });
});
