/**
 * Rate limits per (re-user, purpose): the purpose's `requestsPerMinute`,
 * counted in memory or in Redis, announced in `RateLimit-*` headers.
 */
export {
  createRateLimits,
  type RateLimitOutcome,
  type RateLimitState,
  type RateLimits,
  type RateLimitsOptions,
  rateLimitHeaders,
} from './rateLimits.js';
