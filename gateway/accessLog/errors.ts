/**
 * Why the access log refused an operation. Callers branch on `code` (or on
 * the class), never on the message; the message says what to change.
 */
export type AccessLogErrorCode =
  /**
   * The record could not be made durable (store unreachable, commit failed,
   * writer closed). The gateway answers `ACCESS_LOG_UNAVAILABLE` (HTTP 503)
   * and sends no personal data: no log, no data.
   */
  | 'ACCESS_LOG_UNAVAILABLE'
  /** A record does not have the shape of an `AccessRecord`; nothing of its batch was written. */
  | 'RECORD_INVALID'
  /** A retention shorter than DOMAIN.md T3 allows (6 months), without `force`. */
  | 'RETENTION_TOO_SHORT'
  /** A retention, date, filter or option that cannot be understood. */
  | 'ARGUMENT_INVALID'
  /** `verify` found the log altered: the operation (purge) would destroy the evidence. */
  | 'CHAIN_BROKEN'
  /** The checkpoint or subject reference key is missing, unreadable or malformed. */
  | 'KEY_INVALID';

export class AccessLogError extends Error {
  override readonly name: string = 'AccessLogError';

  constructor(
    readonly code: AccessLogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The record was not made durable. Every write of a failed batch gets one;
 * the gateway must then withhold the response's personal data.
 */
export class AccessLogUnavailableError extends AccessLogError {
  override readonly name = 'AccessLogUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ACCESS_LOG_UNAVAILABLE', message, options);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
