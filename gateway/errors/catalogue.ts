/**
 * Every error code a client of the gateway can receive, with its HTTP status
 * and a message template that tells the client what to change. Placeholders
 * are written `{name}` and are filled by `PasserelleError`; their names are
 * checked at compile time. Documentation is generated from this table, and
 * nothing may branch on the message text: branch on the code.
 *
 * Only codes the gateway produces today are listed; each later feature adds
 * its own (see DECISIONS.md section 6 for the planned set).
 */
export const ERROR_CATALOGUE = {
  // Produced by the HTTP layer, and by Apollo Server for malformed GraphQL-over-HTTP requests.
  BAD_REQUEST: {
    status: 400,
    message: 'The request is malformed: {problem}',
  },
  GRAPHQL_PARSE_FAILED: {
    status: 400,
    message:
      'The GraphQL document has a syntax error: {detail} Correct the document at the reported location.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    message:
      'The query does not match the schema: {detail} Ask only for types, fields and arguments the schema declares.',
  },
  BAD_USER_INPUT: {
    status: 400,
    message:
      'A variable or argument has an invalid value: {detail} Send a value of the declared type.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    status: 400,
    message:
      'The operation to run could not be chosen: {detail} Send one operation, or set operationName to one of the operations in the document.',
  },
  // Status 200 on purpose: Apollo clients that try automatic persisted queries
  // read this code in a 200 response and fall back to sending the full query.
  PERSISTED_QUERY_NOT_SUPPORTED: {
    status: 200,
    message: 'Persisted queries are not supported. Send the full query text.',
  },
  INTROSPECTION_DISABLED: {
    status: 400,
    message:
      'Introspection (__schema, __type) is only available in the sandbox. Use the published schema documentation instead.',
  },
  // Authentication (DECISIONS.md section 1): a client assertion the re-user signs with its own key.
  AUTH_MISSING: {
    status: 401,
    message: 'The request carries no credentials this gateway accepts. {action}',
  },
  AUTH_INVALID: {
    status: 401,
    message: 'The client assertion is refused: {problem} {action}',
  },
  AUTH_EXPIRED: {
    status: 401,
    message:
      'The client assertion expired at {expiredAt}. Sign a fresh one for each request or batch of requests (it lives at most {maxLifetimeSeconds} seconds).',
  },
  AUTH_REPLAYED: {
    status: 401,
    message:
      'The assertion id (jti) "{jti}" was already used with a different token. Give every assertion you sign a new unique jti.',
  },
  AUTH_UNKNOWN_KEY: {
    status: 401,
    message:
      'No key with id (kid) "{kid}" is registered. Sign with a registered key, whose kid is the RFC 7638 thumbprint of its public JWK, or have its public key registered first.',
  },
  AUTH_KEY_REVOKED: {
    status: 401,
    message: 'The key "{kid}" cannot be used: {problem}. Sign with another registered key.',
  },
  AUTH_LOCKED: {
    status: 429,
    message:
      'Too many failed authentications for re-user "{reuser}" from this address: locked for {retryAfterSeconds} more seconds. Fix the assertion, then retry after the delay.',
  },
  KEY_NOT_OWNED: {
    status: 403,
    message: 'The key "{kid}" does not belong to the re-user "{reuser}". {action}',
  },
  // A person reading who accessed their data (DOMAIN.md T5), with an OpenID Connect ID token.
  PERSON_AUTH_MISSING: {
    status: 401,
    message:
      'Reading your access history needs your identity: send Authorization: Bearer <ID token> from a trusted identity provider{hint}.',
  },
  PERSON_AUTH_INVALID: {
    status: 401,
    message: 'The identity token is refused: {problem}',
  },
  IP_NOT_ALLOWED: {
    status: 403,
    message:
      'The re-user "{reuser}" accepts requests only from its declared addresses, and {address} is not one of them. Call from a declared address, or ask for it to be added to the re-user policy file.',
  },
  // Purpose binding (DECISIONS.md section 1): who asks, for which purpose.
  PURPOSE_UNKNOWN: {
    status: 403,
    message:
      'The {what} "{id}" is not declared in the policies, and nothing is shared without a declared re-user and purpose. Send the id of a declared {what} in {where}.',
  },
  PURPOSE_NOT_GRANTED: {
    status: 403,
    message:
      'The re-user "{reuser}" may not use the purpose "{purpose}": {problem}. Declare one of the purposes this re-user is granted, or ask the policy authors to grant this one.',
  },
  PURPOSE_NOT_ACTIVE: {
    status: 403,
    message:
      'The purpose "{purpose}" cannot be used on this gateway now: {problem}. Declare a purpose in force here.',
  },
  // Policy pre-flight: the operation against what the purpose grants.
  PURPOSE_FIELD_DENIED: {
    status: 403,
    message:
      'The purpose "{purpose}" does not grant {fields}{hints}. Remove {them} from the query: a purpose gets only the fields it strictly needs.',
  },
  PURPOSE_ARGUMENT_DENIED: {
    status: 403,
    message:
      'The purpose "{purpose}" does not allow {arguments}. Pass only values inside what the purpose allows.',
  },
  // Document guards and cost analysis (documentGuards/): limits on the document
  // itself, checked before validation and planning. Each message gives the
  // limit and the actual value, and says what to change.
  DOCUMENT_TOO_LARGE: {
    status: 400,
    message:
      'The GraphQL document has {actual} {unit}, more than the {limit} allowed. Send a shorter query: select only the fields the purpose needs, and pass long values as variables.',
  },
  QUERY_TOO_DEEP: {
    status: 400,
    message:
      'The query nests {actual}{where}, more than the {limit} allowed{scope}. Select less deeply nested fields, or split the query.',
  },
  TOO_MANY_ALIASES: {
    status: 400,
    message:
      'The query uses {actual} aliases (fragments included), more than the {limit} allowed. Use fewer aliases: send several requests instead of repeating a field under many names.',
  },
  TOO_MANY_ROOT_FIELDS: {
    status: 400,
    message:
      'The operation selects {actual} root fields, more than the {limit} allowed. Ask for fewer top-level fields per request.',
  },
  TOO_MANY_DIRECTIVES: {
    status: 400,
    message:
      'The query uses {actual} directives (fragments included), more than the {limit} allowed. Remove repeated @include/@skip or other directives.',
  },
  FRAGMENT_CYCLE: {
    status: 400,
    message:
      'The fragments {cycle} spread each other in a cycle, which can never end. Remove the spread that closes the cycle.',
  },
  COST_ESTIMATED_TOO_EXPENSIVE: {
    status: 400,
    message:
      'The query is estimated to cost {estimate}, more than the {limit} allowed{scope}. Select fewer fields or smaller lists (lower first/limit arguments), or split the query.',
  },
  BATCH_NOT_SUPPORTED: {
    status: 400,
    message:
      'Batched requests (a JSON array of operations) are not supported. Send one operation per request, as one JSON object with a "query" member.',
  },
  // Volume limits per purpose (DOMAIN.md M4; DECISIONS.md section 3): each
  // message gives the limit and the actual value, and when to retry.
  RATE_LIMITED: {
    status: 429,
    message:
      'The re-user "{reuser}" sent {actual} requests this minute for the purpose "{purpose}", more than the {limit} allowed per minute. Retry in {retryAfterSeconds} seconds, and spread requests over time.',
  },
  TOO_MANY_SUBJECTS: {
    status: 400,
    message:
      'The response would carry data on {actual} distinct persons, more than the {limit} allowed per request{scope}, so none is sent. Ask about fewer persons per request.',
  },
  SUBJECT_QUOTA_EXCEEDED: {
    status: 429,
    message:
      'The re-user "{reuser}" has read data on {counted} distinct persons today ({day}, Europe/Paris) for the purpose "{purpose}"; this request would add {added} more, beyond the {limit} allowed per day, so nothing is sent. Persons already read today can still be asked about; retry for others in {retryAfterSeconds} seconds (midnight, Europe/Paris).',
  },
  NOT_FOUND: {
    status: 404,
    message:
      'Nothing is served at this path. Send GraphQL requests to /graphql; /health and /ready report the gateway state.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'This path does not accept {method}. Use {allowed}.',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    message:
      'The Accept header excludes every response type the gateway can send. Accept application/graphql-response+json or application/json.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message:
      'The request body is larger than {limitBytes} bytes. Send a shorter query or fewer variables.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'The request body must be JSON. Send it with Content-Type: application/json.',
  },
  // Masked: the client never sees the cause, which is logged in full.
  INTERNAL_SERVER_ERROR: {
    status: 500,
    message: 'Unexpected error.',
  },
  // No log, no data (DESIGN.md): the access record could not be made durable.
  ACCESS_LOG_UNAVAILABLE: {
    status: 503,
    message:
      'The access log could not record this request, and no data is sent without a record. Retry later.',
  },
  SUBGRAPH_UNAVAILABLE: {
    status: 503,
    message:
      'The data holder "{dataHolder}" did not answer in time or could not be reached, so the fields it serves are missing. Retry later.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

type PlaceholdersIn<Template extends string> =
  Template extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholdersIn<Rest> : never;

/** The values a code's message template needs, by placeholder name. */
export type ErrorParams<Code extends ErrorCode> = Readonly<
  Record<PlaceholdersIn<(typeof ERROR_CATALOGUE)[Code]['message']>, string | number>
>;

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** The client-facing message of `code`, with its placeholders filled. */
export function renderMessage<Code extends ErrorCode>(
  code: Code,
  params: ErrorParams<Code>,
): string {
  const values: Readonly<Record<string, string | number>> = params;
  return ERROR_CATALOGUE[code].message.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : placeholder,
  );
}
