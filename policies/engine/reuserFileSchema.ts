import { isIP } from 'node:net';
import { z } from 'zod';
import { isoDateSchema, nonEmptyTextSchema, policyIdSchema } from './fileScalars.js';

/** An IPv4 or IPv6 address, or a CIDR range of either. */
function isIpOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

export const reuserFileSchema = z
  .strictObject({
    id: policyIdSchema,
    organisationNumber: z
      .string({ error: 'expected the SIRET number as a string of 14 digits (quote it)' })
      .regex(/^\d{14}$/, { error: 'expected a SIRET number: 14 digits, no spaces' })
      .describe('SIRET number of the organisation, 14 digits, quoted.'),
    name: nonEmptyTextSchema.describe('Name of the organisation.'),
    contacts: z
      .array(
        z.strictObject({
          role: nonEmptyTextSchema.describe('e.g. technical, data protection officer, legal'),
          name: nonEmptyTextSchema.optional(),
          email: z.email({ error: 'expected an e-mail address' }),
        }),
      )
      .min(1, { error: 'expected at least one contact' })
      .describe('Who to reach about this re-user (technical, data protection officer...).'),
    purposes: z
      .array(
        z.strictObject({
          purpose: policyIdSchema.describe('Id of a purpose in policies/purposes/.'),
          validFrom: isoDateSchema.describe('First day of the authorisation (YYYY-MM-DD).'),
          validUntil: isoDateSchema.describe(
            'Last day of the authorisation (YYYY-MM-DD), included.',
          ),
        }),
      )
      .min(1, { error: 'expected at least one purpose' })
      .describe('The purposes this re-user is authorised for, each with its validity.'),
    webhookUrl: z
      .url({ protocol: /^https$/, error: 'expected an https:// URL' })
      .optional()
      .describe('Where rectification notices are sent (DOMAIN.md D2).'),
    allowedIps: z
      .array(
        z.string().refine(isIpOrRange, {
          error: 'expected an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24',
        }),
      )
      .min(1, { error: 'omit allowedIps rather than leave it empty' })
      .optional()
      .describe('When present, requests are accepted only from these addresses or ranges.'),
  })
  .describe('A re-user: an organisation and the purposes it is authorised for.');

export type ReuserFile = z.infer<typeof reuserFileSchema>;
