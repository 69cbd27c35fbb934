import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logging/index.js';
import { type ErrorCode, renderMessage } from './catalogue.js';
import { PasserelleError } from './passerelleError.js';

/** Apollo Server's own request errors whose message is the useful detail. */
const DETAILED_APOLLO_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
] as const satisfies readonly ErrorCode[];

function isDetailedApolloCode(code: string): code is (typeof DETAILED_APOLLO_CODES)[number] {
  return (DETAILED_APOLLO_CODES as readonly string[]).includes(code);
}

/**
 * Apollo reports some HTTP-level refusals as BAD_REQUEST with a more specific
 * status; the catalogue gives each of those statuses its own code.
 */
const CODE_BY_BAD_REQUEST_STATUS: Readonly<
  Record<number, 'NOT_ACCEPTABLE' | 'UNSUPPORTED_MEDIA_TYPE'>
> = {
  406: 'NOT_ACCEPTABLE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/*
 * Errors are inspected by shape, not with `instanceof GraphQLError`: Apollo's
 * CommonJS build and an ESM importer can load two copies of graphql-js.
 */

/** The first PasserelleError in an error's chain of `originalError`s. */
function findPasserelleError(error: unknown): PasserelleError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof PasserelleError) return current;
    current = 'originalError' in current ? current.originalError : undefined;
  }
  return undefined;
}

function statusOf(error: unknown): number | undefined {
  const extensions =
    typeof error === 'object' && error !== null && 'extensions' in error
      ? error.extensions
      : undefined;
  const http =
    typeof extensions === 'object' && extensions !== null && 'http' in extensions
      ? extensions.http
      : undefined;
  return typeof http === 'object' &&
    http !== null &&
    'status' in http &&
    typeof http.status === 'number'
    ? http.status
    : undefined;
}

/**
 * Apollo Server's `formatError`: every error that reaches a client leaves
 * with a catalogue code and a catalogue message. Anything the catalogue does
 * not describe (a bug, a subgraph's own error) is masked as
 * INTERNAL_SERVER_ERROR "Unexpected error." and logged in full, so no stack,
 * internal message or subgraph detail reaches the client.
 */
export function createClientErrorFormatter(
  logger: Logger,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const where = { locations: formatted.locations, path: formatted.path };
    const known = findPasserelleError(error);
    if (known !== undefined) {
      return {
        message: known.message,
        // A wrapper from another copy of graphql-js may have dropped them.
        locations: formatted.locations ?? known.locations,
        path: formatted.path ?? known.path,
        extensions: { ...known.publicExtensions, code: known.code },
      };
    }

    const code = formatted.extensions?.code;
    // Errors relayed from a subgraph carry `serviceName`: their text is the
    // holder's internal detail, so they are masked below. The exception is
    // BAD_USER_INPUT: the subgraph kit raises it for an argument the client
    // must change, with a message written for the client.
    const fromSubgraph = formatted.extensions?.serviceName !== undefined;
    if (fromSubgraph && code === 'BAD_USER_INPUT') {
      const argument = formatted.extensions?.argument;
      return {
        message: renderMessage(code, { detail: formatted.message }),
        ...where,
        extensions: { code, ...(typeof argument === 'string' ? { argument } : {}) },
      };
    }
    if (!fromSubgraph && typeof code === 'string') {
      if (isDetailedApolloCode(code)) {
        return {
          message: renderMessage(code, { detail: formatted.message }),
          ...where,
          extensions: { code },
        };
      }
      if (code === 'BAD_REQUEST') {
        const specific = CODE_BY_BAD_REQUEST_STATUS[statusOf(error) ?? 400];
        return specific === undefined
          ? {
              message: renderMessage('BAD_REQUEST', { problem: formatted.message }),
              extensions: { code },
            }
          : { message: renderMessage(specific, {}), extensions: { code: specific } };
      }
      if (code === 'PERSISTED_QUERY_NOT_SUPPORTED') {
        return { message: renderMessage(code, {}), extensions: { code } };
      }
    }

    logger.error(
      { err: error, code, serviceName: formatted.extensions?.serviceName, path: formatted.path },
      'internal error masked for the client',
    );
    return {
      message: renderMessage('INTERNAL_SERVER_ERROR', {}),
      ...where,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
