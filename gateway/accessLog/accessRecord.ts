import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AccessLogError } from './errors.js';

/** `Date.prototype.toISOString()` output: UTC, milliseconds, so that text order is time order. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A schema coordinate, `Type.field`. */
const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;

const text = z.string().min(1).max(1_000);
const errorCode = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'must be an error code' });

const outcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('allowed') }).strict(),
  z.object({ status: z.literal('denied'), code: errorCode }).strict(),
  z.object({ status: z.literal('error'), code: errorCode }).strict(),
]);

/**
 * The record of one access (DOMAIN.md T1): who (re-user and agent), when,
 * for which purpose and legal basis, which operation, which fields of which
 * persons, and the outcome. One per GraphQL request, whatever its outcome,
 * written before the response leaves (DESIGN.md, "no log, no data").
 *
 * No personal data: persons appear only as subject references (HMAC of
 * their id, DECISIONS.md section 3), and the query only by its hash.
 */
export const accessRecordSchema = z
  .object({
    /** When the request arrived, ISO 8601 UTC with milliseconds. */
    timestamp: z.string().regex(ISO_UTC, { error: 'must be an ISO 8601 UTC timestamp' }),
    requestId: text,
    traceId: text,
    reuserId: text,
    /** The person or service inside the re-user (DECISIONS.md section 1). */
    agent: text,
    purposeId: text,
    legalBasis: text,
    /** File or case reference, when the purpose requires one. */
    reason: text.optional(),
    /** Absent when the document never parsed. */
    operationType: z.enum(['query', 'mutation', 'subscription']).optional(),
    operationName: text.optional(),
    /** SHA-256 (hex) of the query text as received. */
    documentHash: z.string().regex(SHA256_HEX, { error: 'must be a SHA-256 in hex' }),
    /** Schema coordinates disclosed, e.g. `Person.familyName`. */
    coordinates: z.array(z.string().regex(COORDINATE, { error: 'must be Type.field' })),
    /** HMAC subject references of the persons whose data left (`createSubjectReferencer`). */
    subjectRefs: z.array(z.string().regex(SHA256_HEX, { error: 'must be a subject reference' })),
    outcome: outcomeSchema,
    /** SHA-256 of the policy files in force (DECISIONS.md section 2). */
    policyVersion: text,
    clientAddress: text.optional(),
    latencyMs: z.number().finite().nonnegative(),
  })
  .strict();

export type AccessRecord = z.output<typeof accessRecordSchema>;
export type AccessOutcome = AccessRecord['outcome'];

/**
 * A record as stored: its place in its chain and the hashes that link it to
 * the previous one. `hash` covers every field of the record, the chain, the
 * sequence and `previousHash` (`recordHash`).
 */
export type ChainedAccessRecord = AccessRecord & {
  chain: string;
  sequence: number;
  previousHash: string;
  hash: string;
};

/** The `previousHash` of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Checks records at the append boundary; throws `RECORD_INVALID` naming the first problem. */
export function parseAccessRecords(records: readonly unknown[]): AccessRecord[] {
  return records.map((record, index) => {
    const parsed = accessRecordSchema.safeParse(record);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new AccessLogError(
      'RECORD_INVALID',
      `access record ${index}: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(record)'} ${issue.message}`}`,
    );
  });
}

/**
 * The canonical serialization a record's hash is computed over: a JSON array
 * in a fixed field order, absent fields as null. Arrays of strings and
 * finite numbers serialize the same way in every JavaScript engine, so no
 * key-ordering rule is needed. The leading version tag lets a later format
 * coexist with this one.
 */
function canonicalForm(
  record: AccessRecord,
  chain: string,
  sequence: number,
  previousHash: string,
): string {
  return JSON.stringify([
    'passerelle-access-record/1',
    chain,
    sequence,
    previousHash,
    record.timestamp,
    record.requestId,
    record.traceId,
    record.reuserId,
    record.agent,
    record.purposeId,
    record.legalBasis,
    record.reason ?? null,
    record.operationType ?? null,
    record.operationName ?? null,
    record.documentHash,
    record.coordinates,
    record.subjectRefs,
    record.outcome.status,
    'code' in record.outcome ? record.outcome.code : null,
    record.policyVersion,
    record.clientAddress ?? null,
    record.latencyMs,
  ]);
}

/** SHA-256 (hex) of the record's canonical form, chained to `previousHash`. */
export function recordHash(
  record: AccessRecord,
  chain: string,
  sequence: number,
  previousHash: string,
): string {
  return createHash('sha256')
    .update(canonicalForm(record, chain, sequence, previousHash))
    .digest('hex');
}

/** SHA-256 (hex) of a GraphQL document's text, for `documentHash`. */
export function documentHashOf(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}
