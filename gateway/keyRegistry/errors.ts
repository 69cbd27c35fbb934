/**
 * Why the registry refused an operation. Callers branch on `code`, never on
 * the message; the message says what to change and is written for the
 * operator (CLI) or mapped by the gateway onto its own client error codes.
 */
export type KeyRegistryErrorCode =
  /** No key has this key id. */
  | 'KEY_UNKNOWN'
  /** Not an acceptable public key: private members, wrong type or curve, malformed. */
  | 'KEY_INVALID'
  /** A key with the same thumbprint is already registered (possibly revoked: it never comes back). */
  | 'KEY_ALREADY_REGISTERED'
  /** The operation needs an active key and this one is revoked. */
  | 'KEY_REVOKED'
  /** The validity window is refused (too long, ends before it starts, already over). */
  | 'VALIDITY_INVALID'
  | 'NOTIFICATION_UNKNOWN'
  /** Another argument is out of range (empty re-user id, negative grace period...). */
  | 'ARGUMENT_INVALID'
  /** The store cannot be opened or reached. */
  | 'STORE_UNAVAILABLE';

export class KeyRegistryError extends Error {
  override readonly name = 'KeyRegistryError';

  constructor(
    readonly code: KeyRegistryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
