import { z } from 'zod';
import type { TransformKind } from './model.js';

/** Transforms written as a bare name: they take no parameter. */
export const PARAMETERLESS_TRANSFORMS = ['year', 'commune'] as const satisfies TransformKind[];
/** Transforms written as a one-key object holding their parameter. */
export const PARAMETRIC_TRANSFORMS = [
  'bracket',
  'ageBand',
  'threshold',
] as const satisfies TransformKind[];
export const TRANSFORM_KINDS: readonly TransformKind[] = [
  ...PARAMETERLESS_TRANSFORMS,
  ...PARAMETRIC_TRANSFORMS,
];

// Fails to compile when model.ts gains a transform the file format cannot express.
const everyTransformWritable: Exclude<
  TransformKind,
  (typeof PARAMETERLESS_TRANSFORMS)[number] | (typeof PARAMETRIC_TRANSFORMS)[number]
> extends never
  ? true
  : never = true;
void everyTransformWritable;

export const periodWindowSchema = z
  .strictObject({
    unit: z.enum(['month', 'year', 'academicYear']).describe('The period unit of from and to.'),
    from: z
      .int({ error: 'expected a whole number of periods relative to the current one' })
      .describe('First period, relative to the current one (0: current, -1: previous).'),
    to: z
      .int({ error: 'expected a whole number of periods relative to the current one' })
      .describe('Last period, relative to the current one, included.'),
  })
  .refine((window) => window.from <= window.to, {
    error: 'from must not be after to',
    path: ['to'],
  })
  .describe(
    'Periods relative to the current one, both ends included: { unit: year, from: -1, to: -1 } is income year N-1.',
  );

/** Bounds shared by bracket and ageBand: they cut a range into consecutive classes. */
function ascendingBounds(description: string) {
  return z
    .array(z.number({ error: 'expected a number' }), { error: 'expected a list of bounds' })
    .min(1, { error: 'expected at least one bound' })
    .superRefine((bounds, context) => {
      bounds.forEach((bound, index) => {
        const previous = bounds[index - 1];
        if (previous !== undefined && bound <= previous) {
          context.addIssue({
            code: 'custom',
            path: [index],
            message: `bounds must be strictly ascending: ${bound} comes after ${previous}`,
          });
        }
      });
    })
    .describe(description);
}

/**
 * One object with one key per parametric transform, rather than a union of
 * one-key objects: authors get one clear "unknown key" error for a misspelt
 * transform, and editors still complete every name.
 */
const parametricTransformSchema = z
  .strictObject({
    bracket: ascendingBounds(
      'Amount -> bracket index: the bounds between brackets, strictly ascending, e.g. [400, 700, 1000].',
    ).optional(),
    ageBand: ascendingBounds(
      'Date of birth -> age band: bounds in years, strictly ascending, e.g. [18, 25, 60].',
    ).optional(),
    threshold: z
      .number({ error: 'expected a number' })
      .optional()
      .describe('Value -> boolean: is the value at or above this threshold?'),
  })
  .refine((transform) => Object.keys(transform).length === 1, {
    // An unknown key already has its own error, which says more.
    when: (payload) => payload.issues.length === 0,
    error: (issue) => {
      const kinds = Object.keys(issue.input as object);
      return `a transform object has exactly one key, the transform's name (${PARAMETRIC_TRANSFORMS.join(', ')})${kinds.length > 1 ? `; found ${kinds.join(', ')}` : ''}`;
    },
  })
  .meta({ minProperties: 1, maxProperties: 1 });

export const transformSchema = z
  .union([
    z
      .enum(PARAMETERLESS_TRANSFORMS)
      .describe('year: date -> year; commune: address -> commune only.'),
    parametricTransformSchema,
  ])
  .describe(
    'Precision reduction. The re-user then selects the derived field the schema declares with @reduces(field:, transform:), not this field.',
  );

export const argumentConstraintSchema = z
  .strictObject({
    window: periodWindowSchema
      .optional()
      .describe('The argument is a period (YYYY-MM, a year, YYYY-YYYY) inside this window.'),
    oneOf: z
      .array(z.union([z.string(), z.number(), z.boolean()]), {
        error: 'expected a list of allowed values',
      })
      .min(1, { error: 'expected at least one allowed value' })
      .optional()
      .describe('The argument must be one of these values.'),
  })
  .refine((constraint) => Object.keys(constraint).length === 1, {
    when: (payload) => payload.issues.length === 0,
    error: 'an argument constraint has exactly one key: window or oneOf',
  })
  .meta({ minProperties: 1, maxProperties: 1 });

export const grantSchema = z
  .strictObject(
    {
      transform: transformSchema.optional(),
      window: periodWindowSchema
        .optional()
        .describe('For list fields declared with @window: only the items inside this window.'),
      args: z
        .record(z.string(), argumentConstraintSchema, {
          error: 'expected a map from argument name to { window } or { oneOf }',
        })
        .optional()
        .describe('Constraints on the values the re-user may pass, by argument name.'),
      enumeration: z
        .strictObject({
          maxPersons: z
            .int({ error: 'expected a whole number of persons' })
            .min(1, { error: 'must be at least 1' })
            .describe('Most distinct persons one response using this field may carry.'),
        })
        .optional()
        .describe(
          'For a root field that lists persons without an identifier argument (a list or search): allows it, with a bound. Without it such a field is refused: persons are reached by identifier lookups only.',
        ),
    },
    { error: 'expected a grant: {} to grant the field as is, or { transform, window, args }' },
  )
  .describe('What the purpose may read of this field: {} for the field as is.');

/** `Type.field`, e.g. FamilyQuotient.value. */
export const coordinateSchema = z
  .string()
  .regex(/^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/, {
    error: 'expected a schema coordinate written Type.field, e.g. FamilyQuotient.value',
  });

export type GrantFile = z.infer<typeof grantSchema>;
export type TransformFile = z.infer<typeof transformSchema>;
export type ArgumentConstraintFile = z.infer<typeof argumentConstraintSchema>;
