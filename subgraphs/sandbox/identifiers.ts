/**
 * Opaque identifiers. Internal to the sandbox.
 *
 * Each kind of identifier is a keyed permutation of a counter (a Feistel
 * network, with cycle walking for ranges that are not powers of two): unique
 * by construction, stable for a given seed, and not sequential-looking, which
 * keeps tests and re-users from guessing one person's identifier from
 * another's. The named people's identifiers sit in ranges the permutations
 * never produce (see each generator), so they can never collide.
 */
import { hash32, hashString } from './random.js';

const ROUNDS = 4;

/** A bijection on [0, 2^(2 × halfBits)), halfBits ≤ 32. */
class FeistelPermutation {
  private readonly keys: number[];
  private readonly halfSize: number;
  private readonly mask: number;

  constructor(seed: number, purpose: string, halfBits: number) {
    const purposeId = hashString(purpose);
    this.keys = Array.from({ length: ROUNDS }, (_, round) => hash32(seed, purposeId, round));
    this.halfSize = 2 ** halfBits;
    this.mask = halfBits === 32 ? 0xffffffff : this.halfSize - 1;
  }

  get size(): number {
    return this.halfSize * this.halfSize;
  }

  /** Returns the image as its two halves, to keep 64-bit values exact. */
  applyHalves(value: number): [number, number] {
    let left = Math.floor(value / this.halfSize);
    let right = value % this.halfSize;
    for (const key of this.keys) {
      const next = (left ^ (hash32(right, key) & this.mask)) >>> 0;
      left = right;
      right = this.mask === 0xffffffff ? next : next & this.mask;
    }
    return [left, right];
  }

  apply(value: number): number {
    const [left, right] = this.applyHalves(value);
    return left * this.halfSize + right;
  }
}

/** A bijection on [0, size), size ≤ 2^52, by cycle walking a Feistel permutation. */
export class RangePermutation {
  private readonly feistel: FeistelPermutation;

  constructor(
    seed: number,
    purpose: string,
    readonly size: number,
  ) {
    let halfBits = 1;
    while (2 ** (2 * halfBits) < size) halfBits += 1;
    this.feistel = new FeistelPermutation(seed, purpose, halfBits);
  }

  apply(index: number): number {
    if (!(index >= 0 && index < this.size)) {
      throw new RangeError(`Index ${index} is outside [0, ${this.size}).`);
    }
    let value = this.feistel.apply(index);
    while (value >= this.size) value = this.feistel.apply(value);
    return value;
  }
}

/** 'p_' or 'h_' followed by 16 lower-case hex digits. */
export type OpaqueId = string;

/**
 * Opaque 64-bit ids such as person ids ('p_3f9c…'). Named people use fixed ids
 * in the same format; a generated id equal to one of them (odds about 1e-12)
 * is skipped by walking to an index outside the generated range.
 */
export class OpaqueIds {
  private readonly feistel: FeistelPermutation;

  constructor(
    seed: number,
    purpose: string,
    private readonly prefix: string,
    private readonly reserved: ReadonlySet<string>,
  ) {
    this.feistel = new FeistelPermutation(seed, purpose, 32);
  }

  forIndex(index: number): OpaqueId {
    let candidate = index;
    for (;;) {
      const [high, low] = this.feistel.applyHalves(candidate);
      const id = `${this.prefix}${hex8(high)}${hex8(low)}`;
      if (!this.reserved.has(id)) return id;
      // Indexes at or above 2^48 are never generated (persons are far fewer).
      candidate += 2 ** 48;
    }
  }
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/**
 * A counter-driven source of fixed-width decimal identifiers whose first digit
 * is 1 to `highestLeadingDigit`: the named people's identifiers start with '0'
 * instead, so they never collide with generated ones.
 */
export class DecimalIdentifiers {
  private readonly permutation: RangePermutation;
  private readonly offset: number;
  private next = 0;

  constructor(
    seed: number,
    purpose: string,
    private readonly digits: number,
    highestLeadingDigit = 9,
  ) {
    this.offset = 10 ** (digits - 1);
    this.permutation = new RangePermutation(seed, purpose, highestLeadingDigit * this.offset);
  }

  /** The next unused identifier's digits. */
  take(): string {
    if (this.next >= this.permutation.size) {
      throw new RangeError(`No ${this.digits}-digit identifiers left.`);
    }
    const value = this.offset + this.permutation.apply(this.next);
    this.next += 1;
    return String(value);
  }
}

const CHECK_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

/** A check letter over digits, so that a mistyped identifier is usually detectably wrong. */
export function checkLetter(digits: string): string {
  let remainder = 0;
  for (let i = 0; i < digits.length; i += 1) {
    remainder = (remainder * 10 + digits.charCodeAt(i) - 48) % CHECK_LETTERS.length;
  }
  return CHECK_LETTERS[remainder] as string;
}
