import { z } from 'zod';

/** Ids are file names too (`purposes/<id>.yaml`), so they stay lower-case kebab-case. */
export const policyIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    error: 'expected a lower-case kebab-case id, e.g. school-canteen-pricing',
  })
  .describe('Lower-case kebab-case id; the file must be named <id>.yaml.');

/** Calendar dates, compared as strings by the engine: the ISO form makes that sound. */
export const isoDateSchema = z.iso.date({
  error: 'expected a date written YYYY-MM-DD, e.g. 2026-09-01',
});

/** ISO 8601 duration, e.g. P1Y, P6M, P30D, P1Y6M. */
export const isoDurationSchema = z.string().regex(/^P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$/, {
  error: 'expected an ISO 8601 duration in years, months, weeks or days, e.g. P1Y or P6M',
});

export const nonEmptyTextSchema = z.string().trim().min(1, { error: 'must not be empty' });
