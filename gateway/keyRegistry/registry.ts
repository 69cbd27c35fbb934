import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { KeyRegistryError } from './errors.js';
import type {
  AssertionRecord,
  ExpiryNotification,
  ExpiryWarningDays,
  KeyAlgorithm,
  KeyRegistry,
  KeyValidity,
  ReuserKey,
} from './model.js';
import { checkPublicJwk } from './publicKey.js';
import type { SqlDatabase, SqlExecutor } from './sqlDatabase.js';
import { checkValidity, DAY_MS, dueExpiryWarning } from './validity.js';

/** Re-user ids are policy ids (policies/reusers/<id>.yaml): lower-case kebab-case. */
const REUSER_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_REASON_LENGTH = 500;
/** Expired replay-cache entries are deleted at most this often by one process. */
const PURGE_INTERVAL_MS = 1_000;

/** Integers come back as numbers from SQLite and as strings (BIGINT) from PostgreSQL. */
type Timestamp = number | string;

type KeyRow = {
  kid: string;
  reuser_id: string;
  algorithm: KeyAlgorithm;
  public_jwk: string;
  valid_from: Timestamp;
  valid_until: Timestamp;
  status: 'active' | 'revoked';
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: 'reuser' | 'admin' | null;
  revocation_reason: string | null;
  replaced_by: string | null;
};

type NotificationRow = {
  id: string;
  kid: string;
  reuser_id: string;
  days_before: number;
  valid_until: Timestamp;
  queued_at: Timestamp;
  delivered_at: Timestamp | null;
};

function iso(timestamp: Timestamp): string {
  return new Date(Number(timestamp)).toISOString();
}

function toKey(row: KeyRow): ReuserKey {
  return {
    kid: row.kid,
    reuserId: row.reuser_id,
    algorithm: row.algorithm,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
    validFrom: iso(row.valid_from),
    validUntil: iso(row.valid_until),
    status: row.status,
    createdAt: iso(row.created_at),
    ...(row.revoked_at === null ? {} : { revokedAt: iso(row.revoked_at) }),
    ...(row.revoked_by === null ? {} : { revokedBy: row.revoked_by }),
    ...(row.revocation_reason === null ? {} : { revocationReason: row.revocation_reason }),
    ...(row.replaced_by === null ? {} : { replacedBy: row.replaced_by }),
  };
}

function toNotification(row: NotificationRow): ExpiryNotification {
  return {
    id: row.id,
    kid: row.kid,
    reuserId: row.reuser_id,
    daysBefore: Number(row.days_before) as ExpiryWarningDays,
    validUntil: iso(row.valid_until),
    queuedAt: iso(row.queued_at),
    ...(row.delivered_at === null ? {} : { deliveredAt: iso(row.delivered_at) }),
  };
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new KeyRegistryError('ARGUMENT_INVALID', `${what} must be a non-empty string`);
  }
  return value;
}

function checkReuserId(reuserId: unknown): string {
  if (typeof reuserId !== 'string' || !REUSER_ID.test(reuserId)) {
    throw new KeyRegistryError(
      'ARGUMENT_INVALID',
      `"${String(reuserId)}" is not a re-user id: ids are lower-case kebab-case, as in policies/reusers/<id>.yaml`,
    );
  }
  return reuserId;
}

function checkReason(reason: string | undefined): string | null {
  if (reason === undefined) return null;
  const trimmed = reason.trim();
  if (trimmed === '') return null;
  if (trimmed.length > MAX_REASON_LENGTH) {
    throw new KeyRegistryError(
      'ARGUMENT_INVALID',
      `the revocation reason is ${trimmed.length} characters long: keep it under ${MAX_REASON_LENGTH}`,
    );
  }
  return trimmed;
}

/**
 * The registry's rules over either store. Every multi-statement change runs
 * in one transaction and bumps the key change counter, which is what the
 * other replicas compare to notice it.
 */
export async function createKeyRegistry(
  db: SqlDatabase,
  options: { now: () => Date; onError: (error: unknown) => void },
): Promise<KeyRegistry> {
  const { now, onError } = options;
  const keys = db.table('keys');
  const seen = db.table('seenAssertions');
  const notifications = db.table('notifications');
  const state = db.table('state');

  const readGeneration = async (executor: SqlExecutor): Promise<number> => {
    const [row] = await executor.all<{ key_generation: Timestamp }>(
      `SELECT key_generation FROM ${state} WHERE id = 1`,
    );
    return Number(row?.key_generation ?? 0);
  };

  /** Inside a transaction that changed keys. */
  const bumpGeneration = async (tx: SqlExecutor): Promise<number> => {
    const [row] = await tx.all<{ key_generation: Timestamp }>(
      `UPDATE ${state} SET key_generation = key_generation + 1 WHERE id = 1 RETURNING key_generation`,
    );
    await db.announceKeyChange(tx);
    return Number(row?.key_generation ?? 0);
  };

  const findRow = async (executor: SqlExecutor, kid: string): Promise<KeyRow | undefined> => {
    const [row] = await executor.all<KeyRow>(`SELECT * FROM ${keys} WHERE kid = ?`, [kid]);
    return row;
  };

  const insertKey = async (
    tx: SqlExecutor,
    reuserId: string,
    checked: Awaited<ReturnType<typeof checkPublicJwk>>,
    window: { from: Date; until: Date },
    createdAt: Date,
  ): Promise<KeyRow> => {
    const [row] = await tx.all<KeyRow>(
      `INSERT INTO ${keys} (kid, reuser_id, algorithm, public_jwk, valid_from, valid_until, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'active', ?)
       ON CONFLICT (kid) DO NOTHING
       RETURNING *`,
      [
        checked.kid,
        reuserId,
        checked.algorithm,
        JSON.stringify(checked.publicJwk),
        window.from.getTime(),
        window.until.getTime(),
        createdAt.getTime(),
      ],
    );
    if (row !== undefined) return row;
    const existing = await findRow(tx, checked.kid);
    throw new KeyRegistryError(
      'KEY_ALREADY_REGISTERED',
      `this key (${checked.kid}) is already registered${existing === undefined ? '' : ` for ${existing.reuser_id} (${existing.status})`}: generate a new key pair`,
    );
  };

  // Change detection: `lastSeen` is the counter value this process has told its listeners about.
  const listeners = new Set<() => void>();
  let lastSeen = await readGeneration(db);
  let stopWatching: (() => void) | undefined;
  let checking = false;
  let checkAgain = false;
  let closed = false;

  const fire = () => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        onError(error);
      }
    }
  };

  const noteGeneration = (generation: number) => {
    if (generation <= lastSeen) return;
    lastSeen = generation;
    fire();
  };

  const checkForChange = async () => {
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    try {
      do {
        checkAgain = false;
        if (closed) return;
        noteGeneration(await readGeneration(db));
      } while (checkAgain);
    } catch (error) {
      onError(error);
    } finally {
      checking = false;
    }
  };

  let lastPurge = Number.NEGATIVE_INFINITY;

  const recordOnce = async (
    jti: string,
    reuserId: string,
    tokenHash: string,
    expiresAt: number,
  ): Promise<AssertionRecord | undefined> =>
    db.transaction(async (tx) => {
      const at = now().getTime();
      if (at - lastPurge >= PURGE_INTERVAL_MS) {
        await tx.run(`DELETE FROM ${seen} WHERE expires_at <= ?`, [at]);
        lastPurge = at;
      }
      // An entry that has expired but is not purged yet is replaced, as if absent.
      const recorded = await tx.all<{ token_hash: string }>(
        `INSERT INTO ${seen} AS seen (reuser_id, jti, token_hash, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (reuser_id, jti) DO UPDATE
           SET token_hash = excluded.token_hash, expires_at = excluded.expires_at
           WHERE seen.expires_at <= ?
         RETURNING token_hash`,
        [reuserId, jti, tokenHash, expiresAt, at],
      );
      if (recorded.length > 0) return 'first-use';
      const [existing] = await tx.all<{ token_hash: string }>(
        `SELECT token_hash FROM ${seen} WHERE reuser_id = ? AND jti = ?`,
        [reuserId, jti],
      );
      if (existing === undefined) return undefined;
      return existing.token_hash === tokenHash ? 'same-token' : 'replayed';
    });

  return {
    async addKey(reuserId, publicJwk, validity) {
      checkReuserId(reuserId);
      const checked = await checkPublicJwk(publicJwk);
      const createdAt = now();
      const window = checkValidity(validity, createdAt);
      const { row, generation } = await db.transaction(async (tx) => ({
        row: await insertKey(tx, reuserId, checked, window, createdAt),
        generation: await bumpGeneration(tx),
      }));
      noteGeneration(generation);
      return toKey(row);
    },

    async findKey(kid) {
      const row = await findRow(db, kid);
      return row === undefined ? undefined : toKey(row);
    },

    async listKeys(reuserId) {
      const rows =
        reuserId === undefined
          ? await db.all<KeyRow>(`SELECT * FROM ${keys} ORDER BY reuser_id, created_at, kid`)
          : await db.all<KeyRow>(
              `SELECT * FROM ${keys} WHERE reuser_id = ? ORDER BY created_at, kid`,
              [reuserId],
            );
      return rows.map(toKey);
    },

    async revokeKey(kid, by, reason) {
      requireText(kid, 'the key id');
      if (by !== 'reuser' && by !== 'admin') {
        throw new KeyRegistryError('ARGUMENT_INVALID', 'a key is revoked by "reuser" or "admin"');
      }
      const revocationReason = checkReason(reason);
      const { row, generation } = await db.transaction(async (tx) => {
        const existing = await findRow(tx, kid);
        if (existing === undefined) {
          throw new KeyRegistryError('KEY_UNKNOWN', `no key has the id "${kid}"`);
        }
        if (existing.status === 'revoked') return { row: existing, generation: undefined };
        const [revoked] = await tx.all<KeyRow>(
          `UPDATE ${keys} SET status = 'revoked', revoked_at = ?, revoked_by = ?, revocation_reason = ?
           WHERE kid = ? RETURNING *`,
          [now().getTime(), by, revocationReason, kid],
        );
        return { row: revoked ?? existing, generation: await bumpGeneration(tx) };
      });
      if (generation !== undefined) noteGeneration(generation);
      return toKey(row);
    },

    async rotateKey(oldKid, newPublicJwk, graceDays, newValidity?: KeyValidity) {
      requireText(oldKid, 'the key id');
      if (typeof graceDays !== 'number' || !Number.isFinite(graceDays) || graceDays < 0) {
        throw new KeyRegistryError(
          'ARGUMENT_INVALID',
          'the grace period is a number of days, 0 or more',
        );
      }
      const checked = await checkPublicJwk(newPublicJwk);
      const at = now();
      const window = checkValidity(newValidity, at);
      const { old, added, generation } = await db.transaction(async (tx) => {
        const existing = await findRow(tx, oldKid);
        if (existing === undefined) {
          throw new KeyRegistryError('KEY_UNKNOWN', `no key has the id "${oldKid}"`);
        }
        if (existing.status === 'revoked') {
          throw new KeyRegistryError(
            'KEY_REVOKED',
            `key ${oldKid} is revoked, so there is nothing to hand over: add the new key instead`,
          );
        }
        if (existing.replaced_by !== null) {
          throw new KeyRegistryError(
            'ARGUMENT_INVALID',
            `key ${oldKid} was already rotated to ${existing.replaced_by}: rotate that key instead`,
          );
        }
        const addedRow = await insertKey(tx, existing.reuser_id, checked, window, at);
        const graceEnd = at.getTime() + graceDays * DAY_MS;
        const [oldRow] = await tx.all<KeyRow>(
          `UPDATE ${keys} SET valid_until = ?, replaced_by = ? WHERE kid = ? RETURNING *`,
          [Math.min(Number(existing.valid_until), graceEnd), checked.kid, oldKid],
        );
        return {
          old: oldRow ?? existing,
          added: addedRow,
          generation: await bumpGeneration(tx),
        };
      });
      noteGeneration(generation);
      return { old: toKey(old), added: toKey(added) };
    },

    async recordAssertion(jti, reuserId, tokenHash, expiresAt) {
      requireText(jti, 'the assertion id (jti)');
      requireText(reuserId, 'the re-user id');
      requireText(tokenHash, 'the token hash');
      if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
        throw new KeyRegistryError('ARGUMENT_INVALID', 'expiresAt must be a valid date');
      }
      // Undefined only when another replica purged the entry between two
      // statements, which means it had expired: record again.
      return (
        (await recordOnce(jti, reuserId, tokenHash, expiresAt.getTime())) ??
        (await recordOnce(jti, reuserId, tokenHash, expiresAt.getTime())) ??
        'replayed'
      );
    },

    async queueExpiryWarnings(at) {
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
        throw new KeyRegistryError('ARGUMENT_INVALID', 'now must be a valid date');
      }
      const atMs = at.getTime();
      const horizon = atMs + 90 * DAY_MS;
      return db.transaction(async (tx) => {
        const expiring = await tx.all<Pick<KeyRow, 'kid' | 'reuser_id' | 'valid_until'>>(
          `SELECT kid, reuser_id, valid_until FROM ${keys}
           WHERE status = 'active' AND replaced_by IS NULL AND valid_until <= ?
           ORDER BY valid_until, kid`,
          [horizon],
        );
        const queued: ExpiryNotification[] = [];
        for (const key of expiring) {
          const due = dueExpiryWarning(Number(key.valid_until), atMs);
          if (due === undefined) continue;
          const [nearest] = await tx.all<{ days_before: number | null }>(
            `SELECT MIN(days_before) AS days_before FROM ${notifications} WHERE kid = ?`,
            [key.kid],
          );
          // A nearer warning was already queued: never go back to an earlier one.
          if (nearest?.days_before != null && Number(nearest.days_before) <= due) continue;
          const [row] = await tx.all<NotificationRow>(
            `INSERT INTO ${notifications} (id, kid, reuser_id, days_before, valid_until, queued_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (kid, days_before) DO NOTHING
             RETURNING *`,
            [randomUUID(), key.kid, key.reuser_id, due, Number(key.valid_until), atMs],
          );
          if (row !== undefined) queued.push(toNotification(row));
        }
        return queued;
      });
    },

    async listNotifications(listOptions) {
      const rows = await db.all<NotificationRow>(
        `SELECT * FROM ${notifications}
         ${listOptions?.undeliveredOnly === true ? 'WHERE delivered_at IS NULL' : ''}
         ORDER BY queued_at, reuser_id, kid, days_before DESC`,
      );
      return rows.map(toNotification);
    },

    async markDelivered(notificationId) {
      requireText(notificationId, 'the notification id');
      const changed = await db.run(
        `UPDATE ${notifications} SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`,
        [now().getTime(), notificationId],
      );
      if (changed > 0) return;
      const [row] = await db.all<{ id: string }>(`SELECT id FROM ${notifications} WHERE id = ?`, [
        notificationId,
      ]);
      if (row === undefined) {
        throw new KeyRegistryError(
          'NOTIFICATION_UNKNOWN',
          `no notification has the id "${notificationId}"`,
        );
      }
    },

    onChange(listener) {
      if (closed) return () => undefined;
      listeners.add(listener);
      if (stopWatching === undefined) {
        stopWatching = db.watchCommits(() => void checkForChange());
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stopWatching !== undefined) {
          stopWatching();
          stopWatching = undefined;
        }
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      stopWatching?.();
      stopWatching = undefined;
      await db.close();
    },
  };
}
