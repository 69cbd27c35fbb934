import type { GraphQLField, GraphQLSchema } from 'graphql';
import type { PolicySet } from '../../policies/engine/index.js';
import type { AccessLogStore, ChainedAccessRecord, SubjectReferencer } from '../accessLog/index.js';
import type { RequestHeaders } from '../boundRequest/index.js';
import { PasserelleError } from '../errors/index.js';
import type { PersonTokenVerifier } from './personTokens.js';

/** One access to a person's data, as the person reads it (DOMAIN.md T5). */
export type PersonAccess = {
  /** When (ISO 8601 UTC). */
  at: string;
  reuser: { id: string; name: string };
  purpose: { id: string; title: string; legalBasis: string };
  /** The file or case reference the re-user gave, when it gave one. */
  reason?: string;
  /** What was read, in words: one entry per field, from the schema's descriptions. */
  data: { field: string; description: string }[];
  /** To quote when asking the re-user or the data protection officer about it. */
  requestId: string;
};

export type AccessHistoryResponse = Readonly<{
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
}>;

/** The most records one answer lists; older ones are counted, not listed. */
const MAX_LISTED = 10_000;

/** `Type.field` -> the field's description, first sentence, from the API schema. */
function fieldDescriptions(schema: GraphQLSchema): ReadonlyMap<string, string> {
  const descriptions = new Map<string, string>();
  for (const type of Object.values(schema.getTypeMap())) {
    // Duck typing rather than isObjectType: Apollo's schema may come from
    // another copy of graphql-js (CommonJS beside ES modules).
    if (type.name.startsWith('__') || !('getFields' in type)) continue;
    const fields = (
      type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }
    ).getFields();
    for (const field of Object.values(fields)) {
      // One line: SDL descriptions are wrapped for the source, not for the reader.
      const text = field.description?.replace(/\s+/g, ' ').trim();
      if (text === undefined || text === '') continue;
      descriptions.set(`${type.name}.${field.name}`, text.split(/(?<=\.)\s/)[0] ?? text);
    }
  }
  return descriptions;
}

function bearerOf(headers: RequestHeaders): string | undefined {
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(headers.get('authorization') ?? '');
  return match?.[1];
}

/**
 * A person's access history (DOMAIN.md T5): every access to their data that
 * served data, newest first, with the re-user, the purpose (title and legal
 * basis), the reason given and the categories of data read, in words. The
 * person proves who they are with an OpenID Connect ID token; the log is
 * searched by their subject reference only, so nothing about anyone else
 * is ever read, let alone returned.
 */
export function createAccessHistory(options: {
  verifier: PersonTokenVerifier;
  store: AccessLogStore;
  referencer: SubjectReferencer;
  policies: () => PolicySet;
  apiSchema: GraphQLSchema;
  /** How to get a token, for the 401 message. */
  signInHint: string;
}): { serve(headers: RequestHeaders): Promise<AccessHistoryResponse> } {
  const descriptions = fieldDescriptions(options.apiSchema);

  function describe(record: ChainedAccessRecord, policySet: PolicySet): PersonAccess {
    const reuser = policySet.reusers.get(record.reuserId);
    const purpose = policySet.purposes.get(record.purposeId);
    return {
      at: record.timestamp,
      reuser: { id: record.reuserId, name: reuser?.name ?? record.reuserId },
      purpose: {
        id: record.purposeId,
        title: purpose?.title ?? record.purposeId,
        legalBasis: record.legalBasis,
      },
      ...(record.reason === undefined ? {} : { reason: record.reason }),
      data: record.coordinates
        .filter((coordinate) => !coordinate.startsWith('Query.'))
        .map((coordinate) => ({
          field: coordinate,
          description: descriptions.get(coordinate) ?? coordinate,
        })),
      requestId: record.requestId,
    };
  }

  async function serve(headers: RequestHeaders): Promise<AccessHistoryResponse> {
    const token = bearerOf(headers);
    if (token === undefined) {
      throw new PasserelleError('PERSON_AUTH_MISSING', { hint: options.signInHint });
    }
    const { personId } = await options.verifier.verify(token);
    const records = await options.store.search({
      subjectRef: options.referencer(personId),
      outcome: 'allowed',
      limit: MAX_LISTED,
    });
    const policySet = options.policies();
    return {
      status: 200,
      body: {
        accesses: records.map((record) => describe(record, policySet)),
        complete: records.length < MAX_LISTED,
      },
    };
  }

  return {
    async serve(headers) {
      try {
        return await serve(headers);
      } catch (error) {
        if (!(error instanceof PasserelleError)) throw error;
        return {
          status: error.status,
          body: error.toResponseBody(),
          headers: error.responseHeaders(),
        };
      }
    },
  };
}
