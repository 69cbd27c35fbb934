import { z } from 'zod';
import { DATA_HOLDER_IDS } from './dataHolders.js';
import {
  isoDateSchema,
  isoDurationSchema,
  nonEmptyTextSchema,
  policyIdSchema,
} from './fileScalars.js';
import { coordinateSchema, grantSchema } from './grantSchema.js';

/** Claims a re-user's request must carry for this purpose (DECISIONS.md §1, the bound request). */
export const TRACEABILITY_CLAIMS = ['agent', 'reason'] as const;

const positiveCount = (what: string) =>
  z.int({ error: `expected a whole number of ${what}` }).min(1, { error: 'must be at least 1' });

export const purposeLimitsSchema = z.strictObject({
  subjectsPerRequest: positiveCount('persons').describe(
    'Distinct persons whose data may leave in one response.',
  ),
  requestsPerMinute: positiveCount('requests').describe('Requests per minute, per re-user.'),
  subjectsPerDay: positiveCount('persons').describe(
    'Distinct persons per re-user and calendar day (Europe/Paris).',
  ),
  maxDepth: positiveCount('levels').optional().describe("Tightens the gateway's depth limit."),
  maxCost: positiveCount('cost units').optional().describe("Tightens the gateway's cost limit."),
});

/**
 * A purpose file, `policies/purposes/<id>.yaml`. Unknown keys are errors, so a
 * misspelt key never silently drops a restriction.
 */
export const purposeFileSchema = z
  .strictObject({
    id: policyIdSchema,
    title: nonEmptyTextSchema.describe('Short title, shown to re-users and persons concerned.'),
    legalBasis: nonEmptyTextSchema.describe(
      'Legal basis of the processing, cited (law or code, article).',
    ),
    description: nonEmptyTextSchema
      .optional()
      .describe('Why the granted fields are necessary, in words, for the generated documentation.'),
    holders: z
      .array(z.enum(DATA_HOLDER_IDS), { error: 'expected a list of data holders' })
      .min(1, { error: 'expected at least one data holder' })
      .superRefine((holders, context) => {
        holders.forEach((holder, index) => {
          if (holders.indexOf(holder) !== index) {
            context.addIssue({
              code: 'custom',
              path: [index],
              message: `${holder} is listed twice`,
            });
          }
        });
      })
      .describe('The data holders (subgraphs) this purpose may reach.'),
    stage: z
      .enum(['sandbox', 'production'])
      .describe('Where the purpose may be used: a gateway in the other mode refuses it.'),
    validFrom: isoDateSchema.describe('First day the purpose may be used (YYYY-MM-DD).'),
    validUntil: isoDateSchema.describe('Last day the purpose may be used (YYYY-MM-DD), included.'),
    mode: z
      .enum(['reject', 'filter', 'dry-run'])
      .default('reject')
      .describe(
        'reject: a request asking for a field not granted is refused whole; filter: denied fields come back null; dry-run: allowed, denials only logged.',
      ),
    grants: z
      .record(coordinateSchema, grantSchema, {
        error: 'expected a map from schema coordinate (Type.field) to grant',
      })
      .describe(
        'Every field the purpose may read, by schema coordinate Type.field. Anything not listed is refused.',
      ),
    limits: purposeLimitsSchema.describe('Volume limits (DOMAIN.md M4).'),
    traceability: z
      .strictObject({
        requiredClaims: z
          .array(z.enum(TRACEABILITY_CLAIMS))
          .describe('Claims every request must carry: agent, reason (a case or file reference).'),
      })
      .describe('What every request must say about itself for the access log.'),
    retention: isoDurationSchema.describe(
      'How long the re-user commits to keep the data, ISO 8601 duration, e.g. P1Y.',
    ),
    sensitiveDataException: nonEmptyTextSchema
      .optional()
      .describe(
        'The legal exception cited when a sensitive field (@sensitive) is granted (DOMAIN.md M5).',
      ),
  })
  .describe('A purpose: what a re-user may read for one declared purpose, and on what terms.');

export type PurposeFile = z.infer<typeof purposeFileSchema>;
