import type { Reuser } from '../../policies/engine/index.js';
import type { GatewayMode } from '../boundRequest/index.js';
import type { ExpiryNotification, KeyRegistry } from '../keyRegistry/index.js';
import type { Logger } from '../logging/index.js';

export type ExpiryNotifierOptions = {
  registry: KeyRegistry;
  mode: GatewayMode;
  /** The declared re-users, from the current policies: their webhook and contacts. */
  reusers: () => ReadonlyMap<string, Pick<Reuser, 'webhookUrl' | 'contacts'>>;
  logger: Logger;
  /** How often warnings are queued and delivered; hourly by default. */
  intervalMs?: number;
  /** One webhook call at most this long. */
  webhookTimeoutMs?: number;
  fetch?: typeof globalThis.fetch;
};

export type ExpiryNotifier = {
  /** Queues the warnings due now and delivers every pending one; resolves when done. */
  runOnce(): Promise<void>;
  stop(): void;
};

const HOUR_MS = 60 * 60 * 1000;

/**
 * Warns re-users before their keys expire (DOMAIN.md S2: 90, 60, 30, 14, 7
 * and 0 days before). Production posts each warning to the re-user's
 * `webhookUrl` and retries at the next run until it gets a 2xx; with no
 * webhook declared, or in the sandbox, the warning is written to the log.
 * Several replicas may deliver the same warning twice: delivery is at least
 * once, never silently lost.
 */
export function startExpiryNotifier(options: ExpiryNotifierOptions): ExpiryNotifier {
  const { registry, logger } = options;
  const fetch = options.fetch ?? globalThis.fetch;
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 5_000;

  async function deliver(notification: ExpiryNotification): Promise<boolean> {
    const reuser = options.reusers().get(notification.reuserId);
    const warning = {
      type: 'key-expiry-warning',
      reuser: notification.reuserId,
      kid: notification.kid,
      daysBefore: notification.daysBefore,
      validUntil: notification.validUntil,
    };
    if (options.mode === 'sandbox' || reuser?.webhookUrl === undefined) {
      logger.warn(
        { ...warning, contacts: reuser?.contacts.map((contact) => contact.email) ?? [] },
        notification.daysBefore === 0
          ? 're-user key expires now: register its successor'
          : `re-user key expires in ${notification.daysBefore} days`,
      );
      return true;
    }
    try {
      const response = await fetch(reuser.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(warning),
        signal: AbortSignal.timeout(webhookTimeoutMs),
      });
      if (response.ok) return true;
      logger.warn(
        { ...warning, status: response.status },
        'key expiry webhook refused; retried later',
      );
    } catch (error) {
      logger.warn({ ...warning, err: error }, 'key expiry webhook unreachable; retried later');
    }
    return false;
  }

  let running: Promise<void> | undefined;
  async function run(): Promise<void> {
    await registry.queueExpiryWarnings(new Date());
    for (const notification of await registry.listNotifications({ undeliveredOnly: true })) {
      if (await deliver(notification)) await registry.markDelivered(notification.id);
    }
  }
  const runOnce = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    runOnce().catch((error: unknown) => logger.error({ err: error }, 'key expiry warnings failed'));
  };
  const timer = setInterval(tick, options.intervalMs ?? HOUR_MS);
  timer.unref();
  tick();
  return { runOnce, stop: () => clearInterval(timer) };
}
