import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { PasserelleError } from '../errors/index.js';
import type { PurposeBinding } from '../purposeBinding/index.js';

/** Where one (re-user, purpose) pair stands in the current minute. */
export type RateLimitState = Readonly<{
  /** Requests allowed per minute (the purpose's `requestsPerMinute`). */
  limit: number;
  /** Requests counted in the current window, this one included. */
  used: number;
  /** Requests left in the window. */
  remaining: number;
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number;
}>;

export type RateLimitOutcome =
  | { ok: true; state: RateLimitState }
  | { ok: false; state: RateLimitState; error: PasserelleError<'RATE_LIMITED'> };

export type RateLimits = {
  /** Counts one request of the binding's re-user under its purpose, and says whether it may go on. */
  consume(binding: PurposeBinding): Promise<RateLimitOutcome>;
};

export type RateLimitsOptions = {
  /** Shared by every gateway replica when given; in memory (one process) otherwise. */
  redis?: Redis | undefined;
  /** What the keys start with; `passerelle-` by default. */
  keyPrefix?: string;
};

/** The window every purpose's `requestsPerMinute` is counted in. */
const WINDOW_SECONDS = 60;

/**
 * The rate limit of each (re-user, purpose) pair (DOMAIN.md M4): at most the
 * purpose's `requestsPerMinute` in a fixed one-minute window. The count is
 * kept by rate-limiter-flexible, in Redis when configured (every replica
 * counts together), with an in-memory insurance limiter that answers while
 * Redis is down: the limit then holds per process rather than not at all.
 *
 * One limiter serves every purpose: it only counts (its own point budget is
 * never reached), and the purpose's limit is compared here. A policy reload
 * that changes a limit applies to the count already made this minute.
 */
export function createRateLimits(options: RateLimitsOptions = {}): RateLimits {
  const limiterOptions = {
    points: Number.MAX_SAFE_INTEGER,
    duration: WINDOW_SECONDS,
    keyPrefix: `${options.keyPrefix ?? 'passerelle-'}rate`,
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

  return {
    async consume(binding) {
      const reuser = binding.reuser.id;
      const purpose = binding.purpose.id;
      const limit = binding.purpose.limits.requestsPerMinute;
      let result: RateLimiterRes;
      try {
        result = await limiter.consume(`${reuser}|${purpose}`);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        result = rejection;
      }
      const used = result.consumedPoints;
      const resetSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      const state = { limit, used, remaining: Math.max(0, limit - used), resetSeconds };
      if (used <= limit) return { ok: true, state };
      return {
        ok: false,
        state,
        error: new PasserelleError(
          'RATE_LIMITED',
          { reuser, purpose, actual: used, limit, retryAfterSeconds: resetSeconds },
          {
            publicExtensions: {
              purpose,
              limit,
              actual: used,
              retryAfterSeconds: resetSeconds,
            },
          },
        ),
      };
    },
  };
}

/** IETF draft `RateLimit-*` header fields (draft-ietf-httpapi-ratelimit-headers), by name. */
export function rateLimitHeaders(state: RateLimitState): ReadonlyMap<string, string> {
  return new Map([
    ['ratelimit-limit', String(state.limit)],
    ['ratelimit-remaining', String(state.remaining)],
    ['ratelimit-reset', String(state.resetSeconds)],
  ]);
}
