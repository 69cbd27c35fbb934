import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Two cores: integration tests start real processes, so keep parallelism low.
    pool: 'forks',
    maxWorkers: 2,
    // Integration tests spawn real processes; on a loaded two-core machine each start takes seconds.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    env: { APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' },
  },
});
