import { describe, expect, it } from 'vitest';
import {
  academicYearStart,
  addMonths,
  addYears,
  ageOn,
  dayNumber,
  isIsoDate,
  isoDate,
  toDays,
} from '../../../subgraphs/sandbox/calendar.js';
import {
  checkLetter,
  OpaqueIds,
  RangePermutation,
} from '../../../subgraphs/sandbox/identifiers.js';
import { NAMED_PEOPLE, NAMED_PERSON_IDS } from '../../../subgraphs/sandbox/namedPeople.js';
import { isGeneratedFamilyName } from '../../../subgraphs/sandbox/names.js';
import { streamRng } from '../../../subgraphs/sandbox/random.js';

describe('calendar', () => {
  it('converts dates to day numbers and back over four centuries', () => {
    expect(toDays('1970-01-01')).toBe(0);
    expect(dayNumber(2000, 3, 1) - dayNumber(2000, 2, 28)).toBe(2);
    for (let day = toDays('1900-01-01'); day <= toDays('2300-01-01'); day += 97) {
      expect(toDays(isoDate(day))).toBe(day);
    }
  });

  it('rejects what is not a calendar date', () => {
    for (const text of [
      '2026-02-29',
      '2026-13-01',
      '2026-1-01',
      '20260101',
      '2026-04-31',
      'abcd-ef-gh',
    ]) {
      expect(isIsoDate(text), text).toBe(false);
    }
    expect(isIsoDate('2028-02-29')).toBe(true);
  });

  it('counts months, years, ages and academic years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-11', -23)).toBe('2024-12');
    expect(addYears('2028-02-29', -1)).toBe('2027-02-28');
    expect(ageOn('2013-11-16', '2026-11-15')).toBe(12);
    expect(ageOn('2013-11-15', '2026-11-15')).toBe(13);
    expect(academicYearStart('2026-08-31')).toBe(2025);
    expect(academicYearStart('2026-09-01')).toBe(2026);
  });
});

describe('identifiers', () => {
  it('permutes a range without collisions', () => {
    for (const size of [1, 7, 1000, 4097]) {
      const permutation = new RangePermutation(42, 'test', size);
      const images = new Set(Array.from({ length: size }, (_, index) => permutation.apply(index)));
      expect(images.size).toBe(size);
      expect(Math.max(...images)).toBe(size - 1);
    }
  });

  it('makes opaque ids that depend on the seed and skip reserved ones', () => {
    const reservedId = new OpaqueIds(1, 'person-id', 'p_', new Set()).forIndex(5);
    const ids = new OpaqueIds(1, 'person-id', 'p_', new Set([reservedId]));
    expect(ids.forIndex(4)).toMatch(/^p_[0-9a-f]{16}$/);
    expect(ids.forIndex(5)).not.toBe(reservedId);
    expect(ids.forIndex(5)).toMatch(/^p_[0-9a-f]{16}$/);
    expect(new OpaqueIds(2, 'person-id', 'p_', new Set()).forIndex(4)).not.toBe(ids.forIndex(4));
  });

  it('has check letters that change with a mistyped digit', () => {
    expect(checkLetter('0314159')).not.toBe(checkLetter('0314158'));
    expect(NAMED_PEOPLE.jobseeker.jobseekerId).toBe(`0314159${checkLetter('0314159')}`);
  });
});

describe('named people', () => {
  it('have distinct ids and identifiers outside the generated ranges (leading zero)', () => {
    const people = Object.values(NAMED_PEOPLE);
    expect(NAMED_PERSON_IDS.size).toBe(people.length);
    const identifiers = people.flatMap((person) =>
      [
        'taxNumber' in person ? person.taxNumber : undefined,
        'jobseekerId' in person ? person.jobseekerId : undefined,
        'studentNumber' in person ? person.studentNumber : undefined,
        'benefitsFileNumber' in person ? person.benefitsFileNumber : undefined,
      ].filter((value) => value !== undefined),
    );
    for (const identifier of identifiers) expect(identifier.startsWith('0'), identifier).toBe(true);
  });

  it('have family names that the generator never picks', () => {
    for (const person of Object.values(NAMED_PEOPLE)) {
      expect(isGeneratedFamilyName(person.familyName), person.familyName).toBe(false);
    }
  });
});

describe('random streams', () => {
  it('are reproducible and independent per stream and index', () => {
    const draw = (stream: 'population' | 'tax', index: number) => {
      const rng = streamRng(42, stream, index);
      return [rng.uint32(), rng.uint32(), rng.uint32()];
    };
    expect(draw('population', 3)).toEqual(draw('population', 3));
    expect(draw('population', 3)).not.toEqual(draw('population', 4));
    expect(draw('population', 3)).not.toEqual(draw('tax', 3));
  });
});
