import type { Transform } from '../../policies/engine/index.js';

/** A class among consecutive classes cut by ascending bounds (an amount bracket, an age band). */
export type BoundedClass = { index: number; lowerBound: number | null; upperBound: number | null };

/**
 * Thrown when a source value cannot be reduced: the store holds something
 * the schema does not promise. A holder fault, never the re-user's.
 */
export class TransformError extends Error {
  override readonly name = 'TransformError';
}

/**
 * Reduces the precision of a source value as a purpose's transform says:
 * the value a derived field (`@reduces`) serves. `today` is the data
 * holder's date, for ages.
 */
export function applyTransform(transform: Transform, value: unknown, today: string): unknown {
  switch (transform.kind) {
    case 'year':
      return Number(isoDate(value).slice(0, 4));
    case 'ageBand':
      return classOf(transform.bounds, ageOn(isoDate(value), today));
    case 'bracket':
      return classOf(transform.bounds, finiteNumber(value));
    case 'threshold':
      return finiteNumber(value) >= transform.threshold;
    case 'commune':
      return communeOf(value);
  }
}

/**
 * The class `value` falls in: class i runs from bounds[i - 1] included to
 * bounds[i] excluded; the first has no lower bound, the last no upper bound.
 * With bounds [400, 700]: 380 is class 0, 400 class 1, 700 class 2.
 */
export function classOf(bounds: readonly number[], value: number): BoundedClass {
  let index = 0;
  while (index < bounds.length && value >= (bounds[index] as number)) index += 1;
  return { index, lowerBound: bounds[index - 1] ?? null, upperBound: bounds[index] ?? null };
}

/** Age in whole years on `today`; a person born on 29 February turns a year older on 1 March. */
export function ageOn(birthDate: string, today: string): number {
  const age = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? age - 1 : age;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(value: unknown): string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) {
    throw new TransformError('expected a date written YYYY-MM-DD');
  }
  return value;
}

function finiteNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TransformError('expected a number');
  }
  return value;
}

function communeOf(address: unknown): unknown {
  const commune =
    typeof address === 'object' && address !== null && 'commune' in address
      ? address.commune
      : undefined;
  if (typeof commune !== 'object' || commune === null) {
    throw new TransformError('expected an address holding its commune');
  }
  return commune;
}
