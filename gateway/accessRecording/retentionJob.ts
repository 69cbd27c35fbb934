import type { AccessLogStore, Retention } from '../accessLog/index.js';
import type { Logger } from '../logging/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first purge waits for the gateway to settle. */
const FIRST_PURGE_DELAY_MS = 60_000;

/**
 * Purges access records older than the retention (DOMAIN.md T3), once a
 * day. The store checks the chain before it deletes and leaves a signed
 * checkpoint at the cut, so the log stays verifiable; a purge that fails
 * (an altered log refuses to be purged) is logged and retried the next day.
 */
export function startRetentionJob(options: {
  store: AccessLogStore;
  retention: Retention;
  logger: Logger;
  intervalMs?: number;
}): { stop(): void } {
  const { store, retention, logger } = options;
  const purge = () => {
    const before = retention.cutoff(new Date());
    store.purge(before).then(
      (result) =>
        logger.info({ before, retention: retention.text, ...result }, 'access log purged'),
      (error: unknown) => logger.error({ err: error, before }, 'access log purge failed'),
    );
  };
  const first = setTimeout(purge, FIRST_PURGE_DELAY_MS);
  const daily = setInterval(purge, options.intervalMs ?? DAY_MS);
  first.unref();
  daily.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(daily);
    },
  };
}
