import { type Logger, pino } from 'pino';
import type { LogLevel } from '../config/index.js';

export type { Logger };

/**
 * The gateway's process log: JSON lines on stdout. It records the gateway's
 * own life (start, stop, subgraph failures, masked internal errors), never a
 * request's variables or response data, which may hold personal data.
 *
 * Written synchronously: the log is low-volume (nothing per request), and
 * pino's default asynchronous destination flushes in an exit handler that
 * retries forever when stdout is a broken pipe, which happens when the
 * launcher that reads our output dies; the gateway then never exits. A
 * synchronous destination reports EPIPE once and pino stops writing.
 */
export function createProcessLogger(level: LogLevel): Logger {
  return pino({ name: 'passerelle-gateway', level }, pino.destination({ dest: 1, sync: true }));
}
