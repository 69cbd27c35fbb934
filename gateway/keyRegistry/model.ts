import type { JWK } from 'jose';

/** The only signature algorithms a re-user key may be used with (DOMAIN.md S1). */
export type KeyAlgorithm = 'ES256' | 'EdDSA';

/** A re-user's registered public key. Timestamps are ISO 8601, UTC. */
export type ReuserKey = {
  /** RFC 7638 thumbprint of the public key (SHA-256, base64url): the JWT header's `kid`. */
  kid: string;
  reuserId: string;
  algorithm: KeyAlgorithm;
  /** Public members only (`kty`, `crv`, `x`, `y`), plus `kid` and `alg`. */
  publicJwk: JWK;
  validFrom: string;
  /** At most 18 months after `validFrom` (DOMAIN.md S2). Shortened by a rotation. */
  validUntil: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt?: string;
  revokedBy?: 'reuser' | 'admin';
  revocationReason?: string;
  /** Set on the old key by a rotation: the key that replaces it. No expiry warning is sent for it. */
  replacedBy?: string;
};

/**
 * What a key allows at a given instant. The registry returns revoked and
 * expired keys too (for the audit trail and for precise error codes); the
 * verifier accepts a signature only from a `usable` key.
 */
export type KeyState = 'usable' | 'revoked' | 'not-yet-valid' | 'expired';

/**
 * Outcome of recording an assertion id (`jti`) for replay protection:
 * - `first-use`: never seen (or only in an entry that has expired);
 * - `same-token`: this exact token was already seen: a client may send one
 *   token several times within its lifetime (DECISIONS.md section 1);
 * - `replayed`: the id was seen with a different token: refuse it.
 */
export type AssertionRecord = 'first-use' | 'same-token' | 'replayed';

/** Days before a key's `validUntil` at which its re-user is warned (DOMAIN.md S2). */
export const EXPIRY_WARNING_DAYS = [90, 60, 30, 14, 7, 0] as const;
export type ExpiryWarningDays = (typeof EXPIRY_WARNING_DAYS)[number];

/** A queued warning that a key is about to expire (0: it expires now). */
export type ExpiryNotification = {
  id: string;
  kid: string;
  reuserId: string;
  daysBefore: ExpiryWarningDays;
  /** The key's `validUntil` when the warning was queued. */
  validUntil: string;
  queuedAt: string;
  deliveredAt?: string;
};

export type KeyValidity = { validFrom?: Date; validUntil?: Date };

/**
 * The store of re-users' public keys and of seen assertion ids. Several
 * gateway processes share one store (one SQLite file on a host, or one
 * PostgreSQL schema), so every rule that must hold across replicas
 * (revocation, replay protection, warnings sent once) is enforced by the
 * store, not in memory.
 */
export type KeyRegistry = {
  /**
   * Registers a re-user's public key. Refused (`KeyRegistryError`): a JWK
   * with private members, anything but an Ed25519 (EdDSA) or P-256 (ES256)
   * key, a `kid` that is not the key's thumbprint, a key already registered,
   * a validity over 18 months or already over. Defaults: valid from now, for
   * 12 months. The re-user id is not checked against the policies here: the
   * callers (CLI, sandbox) do that.
   */
  addKey(reuserId: string, publicJwk: JWK, validity?: KeyValidity): Promise<ReuserKey>;
  /** The key with this id, whatever its state; undefined when none. */
  findKey(kid: string): Promise<ReuserKey | undefined>;
  /** Every key, or one re-user's, ordered by re-user then creation. */
  listKeys(reuserId?: string): Promise<ReuserKey[]>;
  /**
   * Revokes a key at once, for good. Revoking a revoked key returns it
   * unchanged (the first revocation is the one recorded). `KEY_UNKNOWN` when
   * no key has this id. The self-revocation endpoint checks that the key
   * belongs to the caller before calling this.
   */
  revokeKey(kid: string, by: 'reuser' | 'admin', reason?: string): Promise<ReuserKey>;
  /**
   * Adds the new key and shortens the old one's validity to now + grace, so
   * both work during the overlap (DOMAIN.md S2). The new key belongs to the
   * old key's re-user; its validity defaults as in `addKey`. One
   * transaction: either both happen or neither.
   */
  rotateKey(
    oldKid: string,
    newPublicJwk: JWK,
    graceDays: number,
    newValidity?: KeyValidity,
  ): Promise<{ old: ReuserKey; added: ReuserKey }>;
  /**
   * Replay protection across replicas: records (jti, token hash) for the
   * re-user until `expiresAt` (the token's `exp`). Ids are scoped by re-user,
   * so that one re-user cannot burn another's ids. Expired entries are purged.
   */
  recordAssertion(
    jti: string,
    reuserId: string,
    tokenHash: string,
    expiresAt: Date,
  ): Promise<AssertionRecord>;
  /**
   * Expiry warnings due on `now` and not yet queued: queues them and returns
   * the new ones. For each active key not replaced by a rotation, the due
   * warning is the nearest threshold of `EXPIRY_WARNING_DAYS` already
   * reached; thresholds passed while nobody asked are skipped, so a re-user
   * gets one warning per threshold at most, even with several replicas.
   */
  queueExpiryWarnings(now: Date): Promise<ExpiryNotification[]>;
  listNotifications(options?: { undeliveredOnly?: boolean }): Promise<ExpiryNotification[]>;
  /** Idempotent; `NOTIFICATION_UNKNOWN` when no notification has this id. */
  markDelivered(notificationId: string): Promise<void>;
  /**
   * Calls `listener` within a second after any process changed keys (add,
   * revoke, rotate) in the same store, this one included. Writes to the
   * replay cache or notifications do not count. Returns the unsubscribe
   * function. A listener should reload what it caches; it is not told what
   * changed.
   */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
};

export type KeyStoreOptions =
  /** `<dataDir>/registry.sqlite`, shared by the gateway processes of one host. */
  | { kind: 'sqlite'; dataDir: string }
  /** Tables are created in `schema` (default `public`) when missing. */
  | { kind: 'postgres'; url: string; schema?: string };

export type KeyRegistryOptions = KeyStoreOptions & {
  /** The registry's clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
  /**
   * Failures of the background change detection and of `onChange`
   * listeners. Defaults to a process warning: they must not crash a gateway.
   */
  onError?: (error: unknown) => void;
};
