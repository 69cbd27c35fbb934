import { describe, expect, it } from 'vitest';
import { isPurposeActive, isReuserGrantActive } from '../../../policies/engine/index.js';

const purpose = { validFrom: '2026-01-01', validUntil: '2026-12-31', stage: 'sandbox' } as const;

describe('isPurposeActive', () => {
  it.each([
    { today: '2025-12-31', stage: 'sandbox', active: false, why: 'the day before validFrom' },
    { today: '2026-01-01', stage: 'sandbox', active: true, why: 'validFrom itself' },
    { today: '2026-06-15', stage: 'sandbox', active: true, why: 'a day inside' },
    { today: '2026-12-31', stage: 'sandbox', active: true, why: 'validUntil itself' },
    { today: '2027-01-01', stage: 'sandbox', active: false, why: 'the day after validUntil' },
    {
      today: '2026-06-15',
      stage: 'production',
      active: false,
      why: 'a sandbox purpose in production',
    },
  ] as const)('$why: $active', ({ today, stage, active }) => {
    expect(isPurposeActive(purpose, today, stage)).toBe(active);
  });

  it('refuses a production purpose in the sandbox too: the stage must match the mode', () => {
    expect(isPurposeActive({ ...purpose, stage: 'production' }, '2026-06-15', 'sandbox')).toBe(
      false,
    );
    expect(isPurposeActive({ ...purpose, stage: 'production' }, '2026-06-15', 'production')).toBe(
      true,
    );
  });

  it.each(['2026-6-15', '15/06/2026', '2026-06-15T10:00:00Z', ''])(
    'throws on a today that is not YYYY-MM-DD (%j), rather than compare it as a string',
    (today) => {
      expect(() => isPurposeActive(purpose, today, 'sandbox')).toThrow(RangeError);
    },
  );
});

describe('isReuserGrantActive', () => {
  it.each([
    { today: '2025-12-31', active: false },
    { today: '2026-01-01', active: true },
    { today: '2026-12-31', active: true },
    { today: '2027-01-01', active: false },
  ])('on $today: $active', ({ today, active }) => {
    expect(isReuserGrantActive({ validFrom: '2026-01-01', validUntil: '2026-12-31' }, today)).toBe(
      active,
    );
  });
});
