import { type ASTNode, GraphQLError } from 'graphql';
import { type ErrorCode, type ErrorParams, httpStatusOf, renderMessage } from './catalogue.js';

/**
 * Where an error applies decides whether it sets the HTTP status:
 * - `request`: the whole request fails; the response takes the code's status.
 * - `field`: some fields are missing from an otherwise served response, which
 *   stays 200 (GraphQL partial results); the code's status is still documented
 *   and a response plugin may apply it when nothing at all could be served.
 */
export type ErrorScope = 'request' | 'field';

/** A value that may travel in an error's `extensions`: plain JSON. */
export type PublicValue =
  | string
  | number
  | boolean
  | null
  | readonly PublicValue[]
  | { readonly [key: string]: PublicValue };

export type PublicExtensions = Readonly<Record<string, PublicValue>>;

export type PasserelleErrorOptions = {
  scope?: ErrorScope;
  /** Extra `extensions` the client sees beside `code`. Never personal data. */
  publicExtensions?: PublicExtensions;
  /** The underlying failure: logged, never sent to the client. */
  cause?: unknown;
  /** The part of the query at fault, reported to the client as `locations`. */
  nodes?: ASTNode | readonly ASTNode[];
  /** For a field error: the response path of the field, list indexes included. */
  path?: readonly (string | number)[];
};

type ErrorArguments<Code extends ErrorCode> = [keyof ErrorParams<Code>] extends [never]
  ? [params?: ErrorParams<Code>, options?: PasserelleErrorOptions]
  : [params: ErrorParams<Code>, options?: PasserelleErrorOptions];

/** A client-visible error: a catalogue code, its status and its rendered message. */
export class PasserelleError<Code extends ErrorCode = ErrorCode> extends GraphQLError {
  readonly code: Code;
  readonly status: number;
  readonly publicExtensions: PublicExtensions;

  constructor(code: Code, ...[params, options]: ErrorArguments<Code>) {
    const status = httpStatusOf(code);
    const publicExtensions = options?.publicExtensions ?? {};
    super(renderMessage(code, params ?? ({} as ErrorParams<Code>)), {
      extensions: {
        ...publicExtensions,
        code,
        // Apollo Server takes the response status from `extensions.http` and
        // strips it before the error reaches the client.
        ...((options?.scope ?? 'request') === 'request' ? { http: { status } } : {}),
      },
      originalError: options?.cause instanceof Error ? options.cause : undefined,
      nodes: options?.nodes,
      path: options?.path,
    });
    this.name = 'PasserelleError';
    this.code = code;
    this.status = status;
    this.publicExtensions = publicExtensions;
  }

  /**
   * The HTTP headers a response carrying this error needs: a 401 names the
   * authentication scheme (RFC 9110), and an error saying when to retry
   * (`retryAfterSeconds`) gives `Retry-After`.
   */
  responseHeaders(): Record<string, string> {
    const { retryAfterSeconds } = this.publicExtensions;
    return {
      ...(this.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
      ...(typeof retryAfterSeconds === 'number'
        ? { 'retry-after': String(retryAfterSeconds) }
        : {}),
    };
  }

  /** The JSON body for a response that carries only this error. */
  toResponseBody(): { errors: [{ message: string; extensions: Record<string, unknown> }] } {
    return {
      errors: [
        { message: this.message, extensions: { ...this.publicExtensions, code: this.code } },
      ],
    };
  }
}
