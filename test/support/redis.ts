import { randomBytes } from 'node:crypto';

/**
 * Redis for tests (DECISIONS.md section 5): the server named by
 * PASSERELLE_TEST_REDIS_URL, each run under its own key prefix. Without the
 * variable, Redis suites are skipped and say why.
 */
export const TEST_REDIS_URL: string | undefined =
  process.env.PASSERELLE_TEST_REDIS_URL === '' ? undefined : process.env.PASSERELLE_TEST_REDIS_URL;

export const REDIS_SKIP_REASON = 'PASSERELLE_TEST_REDIS_URL is unset (e.g. redis://127.0.0.1:6379)';

/** Prints why a Redis suite does not run; test files call it once. */
export function reportRedisSkipped(suite: string): void {
  if (TEST_REDIS_URL === undefined) {
    process.stderr.write(`skipped: ${suite} on Redis: ${REDIS_SKIP_REASON}\n`);
  }
}

/** A key prefix no other run uses. */
export function uniqueRedisPrefix(name: string): string {
  return `passerelle-test:${name}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
