import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

export type LockoutSettings = Readonly<{
  /** Failed authentications of one pair, within the window, that lock it. */
  maxFailures: number;
  /** How long failures are remembered. */
  windowSeconds: number;
  /** How long a locked pair stays locked. */
  lockoutSeconds: number;
}>;

export type LockoutState =
  | { locked: false; failures: number }
  | { locked: true; retryAfterSeconds: number };

/**
 * Lockout after repeated failed authentications (DOMAIN.md S4), per
 * (claimed re-user, client address) pair: a stranger failing on purpose
 * locks only the pair it fails from, never the re-user's own address.
 */
export type Lockout = {
  state(reuser: string, address: string): Promise<LockoutState>;
  /** Counts one failure; true when this failure locked the pair. */
  recordFailure(reuser: string, address: string): Promise<boolean>;
  /** Forgets the pair's failures after a successful authentication. */
  recordSuccess(reuser: string, address: string): Promise<void>;
};

function pairKey(reuser: string, address: string): string {
  return `${reuser}|${address}`;
}

/**
 * A lockout kept in memory (one gateway process), or in Redis when given a
 * client, so that every replica sees the same failures. If Redis fails, an
 * in-memory limiter with the same settings takes over (rate-limiter-flexible's
 * insurance limiter): the lockout holds per process rather than not at all.
 */
export function createLockout(
  settings: LockoutSettings,
  options: { redis?: Redis; keyPrefix?: string } = {},
): Lockout {
  const limiterOptions = {
    points: settings.maxFailures,
    duration: settings.windowSeconds,
    keyPrefix: options.keyPrefix ?? 'passerelle-auth-failures',
  };
  const memory = new RateLimiterMemory(limiterOptions);
  const limiter: RateLimiterAbstract =
    options.redis === undefined
      ? memory
      : new RateLimiterRedis({
          ...limiterOptions,
          storeClient: options.redis,
          insuranceLimiter: memory,
        });

  // A pair is locked once it is blocked: block() sets its count above the maximum.
  const lockedBy = (result: RateLimiterRes | null): number | undefined =>
    result !== null && result.consumedPoints > settings.maxFailures
      ? Math.max(1, Math.ceil(result.msBeforeNext / 1000))
      : undefined;

  return {
    async state(reuser, address) {
      const result = await limiter.get(pairKey(reuser, address));
      const retryAfterSeconds = lockedBy(result);
      return retryAfterSeconds === undefined
        ? { locked: false, failures: result?.consumedPoints ?? 0 }
        : { locked: true, retryAfterSeconds };
    },
    async recordFailure(reuser, address) {
      const key = pairKey(reuser, address);
      let consumed: number;
      try {
        consumed = (await limiter.consume(key)).consumedPoints;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        consumed = rejection.consumedPoints;
      }
      if (consumed < settings.maxFailures) return false;
      await limiter.block(key, settings.lockoutSeconds);
      return true;
    },
    async recordSuccess(reuser, address) {
      await limiter.delete(pairKey(reuser, address));
    },
  };
}
