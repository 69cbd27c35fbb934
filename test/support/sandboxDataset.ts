/** The one sandbox dataset the test run generates (see globalSetup.ts). */
export const TEST_DATASET = {
  /** A fixed "today", so that "current month" and "income year N-1" are stable on any date. */
  asOf: '2026-11-15',
  seed: 42,
  persons: 2_000,
} as const;
