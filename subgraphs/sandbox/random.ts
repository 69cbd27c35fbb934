/**
 * Seeded randomness for the generator. Internal to the sandbox.
 *
 * Every household draws from its own stream, derived from (seed, stream name,
 * household index), so a holder's data for household i never depends on how
 * many random numbers another holder or another household consumed. That keeps
 * the output stable when one holder's rules change, and lets the population be
 * streamed without holding it in memory.
 *
 * Only 32-bit integer arithmetic (Math.imul, shifts): results are identical on
 * every platform, unlike anything built on Math.random or floating-point libm.
 */

/** Murmur3's finaliser: a cheap, well-mixing bijection on 32-bit integers. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a sequence of numbers (each taken modulo 2^32) into one 32-bit value. */
export function hash32(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split so that values above 2^32 (indexes, seeds) still contribute all their bits.
    const low = part >>> 0;
    const high = Math.floor(part / 0x1_0000_0000) >>> 0;
    h = mix32(h ^ low) + 0x6a09e667;
    h = mix32(h ^ high);
  }
  return h >>> 0;
}

/** FNV-1a of a string, used to turn stream names into numbers. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic random source (sfc32: small, fast, passes PractRand up to large sizes). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    // sfc32's authors recommend discarding the first outputs after seeding.
    for (let i = 0; i < 12; i += 1) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new RangeError('Cannot pick from an empty list.');
    return item;
  }

  /**
   * Approximately normal, bounded to mean ± 3.46 deviations (Irwin–Hall with 4
   * uniforms, whose variance is 1/3): no libm call, so identical everywhere.
   */
  normal(mean: number, deviation: number): number {
    const sum = this.float() + this.float() + this.float() + this.float();
    return mean + deviation * (sum - 2) * Math.sqrt(3);
  }

  /** Interpolates a value between the quantiles of a distribution (evenly spaced, first = min, last = max). */
  fromQuantiles(quantiles: readonly number[]): number {
    const position = this.float() * (quantiles.length - 1);
    const index = Math.floor(position);
    const low = quantiles[index] ?? 0;
    const high = quantiles[index + 1] ?? low;
    return low + (high - low) * (position - index);
  }
}

/** The independent random streams of the generator, one per concern. */
export type StreamName =
  | 'population'
  | 'civil-status'
  | 'family-benefits'
  | 'tax'
  | 'employment'
  | 'education';

/** The random stream of one household (or any indexed item) for one concern. */
export function streamRng(seed: number, stream: StreamName, index: number): Rng {
  const streamId = hashString(stream);
  return new Rng(
    hash32(seed, streamId, index, 1),
    hash32(seed, streamId, index, 2),
    hash32(seed, streamId, index, 3),
    hash32(seed, streamId, index, 4),
  );
}

/** Picks values with given relative weights, by binary search over cumulative weights. */
export class WeightedTable<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.values = [];
    this.cumulative = [];
    let total = 0;
    for (const [value, weight] of entries) {
      if (!(weight > 0)) continue;
      total += weight;
      this.values.push(value);
      this.cumulative.push(total);
    }
    if (total === 0) throw new RangeError('A weighted table needs at least one positive weight.');
    this.total = total;
  }

  pick(rng: Rng): T {
    const target = rng.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.cumulative[middle] ?? 0) > target) high = middle;
      else low = middle + 1;
    }
    return this.values[low] as T;
  }
}
