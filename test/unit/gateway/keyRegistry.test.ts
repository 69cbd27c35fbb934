import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateReuserKeyPair, keyIdOf } from '../../../gateway/clientAssertion/index.js';
import {
  addMonths,
  type KeyRegistry,
  KeyRegistryError,
  type KeyRegistryErrorCode,
  keyStateAt,
  openKeyRegistry,
  SQLITE_FILE_NAME,
} from '../../../gateway/keyRegistry/index.js';
import {
  countRows,
  dropSchema,
  POSTGRES_SKIP_REASON,
  reportPostgresSkipped,
  TEST_POSTGRES_URL,
  uniqueSchemaName,
} from '../../support/postgres.js';

// One suite, run against both stores: whatever the deployment chooses, the
// registry keeps the same rules (DOMAIN.md S1-S3).

const DAY = 24 * 60 * 60 * 1000;
const REUSER = 'commune-de-bellerive';

/** A store the suite runs against: each test gets a fresh, empty one. */
type StoreUnderTest = {
  name: string;
  skipReason?: string;
  /** Prepares an empty store; returns its `open` and its replay cache size. */
  create(): {
    open(now?: () => Date): Promise<KeyRegistry>;
    countSeenAssertions(): Promise<number>;
    destroy(): Promise<void>;
  };
};

const sqliteStore: StoreUnderTest = {
  name: 'SQLite',
  create() {
    const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-registry-'));
    return {
      open: (now) => openKeyRegistry({ kind: 'sqlite', dataDir, ...(now ? { now } : {}) }),
      async countSeenAssertions() {
        const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
        try {
          return (
            db.prepare('SELECT count(*) AS count FROM seen_assertions').get() as {
              count: number;
            }
          ).count;
        } finally {
          db.close();
        }
      },
      async destroy() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

const postgresStore: StoreUnderTest = {
  name: 'PostgreSQL',
  ...(TEST_POSTGRES_URL === undefined ? { skipReason: POSTGRES_SKIP_REASON } : {}),
  create() {
    const url = TEST_POSTGRES_URL ?? '';
    const schema = uniqueSchemaName('registry_test');
    return {
      open: (now) => openKeyRegistry({ kind: 'postgres', url, schema, ...(now ? { now } : {}) }),
      countSeenAssertions: () => countRows(url, schema, 'seen_assertions'),
      destroy: () => dropSchema(url, schema),
    };
  },
};

reportPostgresSkipped('key registry');

/** A clock the test moves by hand. */
function testClock(start: string) {
  let current = new Date(start);
  return {
    now: () => current,
    advance(ms: number) {
      current = new Date(current.getTime() + ms);
    },
  };
}

async function expectRefused(
  action: Promise<unknown>,
  code: KeyRegistryErrorCode,
  message?: RegExp,
): Promise<void> {
  const error = await action.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(KeyRegistryError);
  expect((error as KeyRegistryError).code).toBe(code);
  if (message !== undefined) expect((error as KeyRegistryError).message).toMatch(message);
}

async function publicJwkOf(algorithm: 'RS256' | 'ES384'): Promise<JWK> {
  const { publicKey } = await generateKeyPair(algorithm, { extractable: true });
  return exportJWK(publicKey);
}

/** Resolves with the milliseconds until `registry` reports a change, or rejects after `timeoutMs`. */
function nextChange(registry: KeyRegistry, timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no change reported within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = registry.onChange(() => {
      clearTimeout(timer);
      stop();
      resolve(Date.now() - started);
    });
  });
}

describe.each([sqliteStore, postgresStore])('key registry on $name', (store) => {
  const suite = store.skipReason === undefined ? describe : describe.skip;

  suite(store.skipReason === undefined ? 'rules' : `skipped: ${store.skipReason}`, () => {
    let current: ReturnType<StoreUnderTest['create']>;
    const opened: KeyRegistry[] = [];
    const clock = testClock('2026-03-02T09:00:00.000Z');

    const open = async (now: () => Date = clock.now) => {
      const registry = await current.open(now);
      opened.push(registry);
      return registry;
    };

    beforeAll(() => {
      current = store.create();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((registry) => registry.close()));
    });

    afterAll(async () => {
      await current.destroy();
    });

    describe('adding keys', () => {
      it('adds, finds and lists public keys, identified by their thumbprint', async () => {
        const registry = await open();
        const ed = await generateReuserKeyPair('EdDSA');
        const es = await generateReuserKeyPair('ES256');
        const added = await registry.addKey('adds-keys', ed.publicJwk);
        const addedAt = clock.now();
        clock.advance(1_000);
        await registry.addKey('adds-keys', es.publicJwk, {
          validUntil: new Date(clock.now().getTime() + 30 * DAY),
        });
        await registry.addKey('adds-keys-other', (await generateReuserKeyPair()).publicJwk);

        expect(added).toEqual({
          kid: ed.kid,
          reuserId: 'adds-keys',
          algorithm: 'EdDSA',
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: ed.publicJwk.x, kid: ed.kid, alg: 'EdDSA' },
          validFrom: addedAt.toISOString(),
          validUntil: addMonths(addedAt, 12).toISOString(),
          status: 'active',
          createdAt: addedAt.toISOString(),
        });
        expect(added.kid).toBe(await keyIdOf(ed.publicJwk));
        expect(await registry.findKey(ed.kid)).toEqual(added);
        expect((await registry.findKey(es.kid))?.algorithm).toBe('ES256');
        expect(await registry.findKey('no-such-kid')).toBeUndefined();
        expect((await registry.listKeys('adds-keys')).map((key) => key.kid)).toEqual([
          ed.kid,
          es.kid,
        ]);
        const everyKey = await registry.listKeys();
        expect(everyKey.filter((key) => key.reuserId.startsWith('adds-keys'))).toHaveLength(3);
      });

      it('refuses a JWK holding the private key, and stores nothing', async () => {
        const registry = await open();
        const ed = await generateReuserKeyPair('EdDSA');
        const es = await generateReuserKeyPair('ES256');
        await expectRefused(registry.addKey(REUSER, ed.privateJwk), 'KEY_INVALID', /"d"/);
        await expectRefused(
          registry.addKey(REUSER, es.privateJwk),
          'KEY_INVALID',
          /public key only/,
        );
        expect(await registry.findKey(ed.kid)).toBeUndefined();
        expect(await registry.findKey(es.kid)).toBeUndefined();
      });

      it.each([
        ['an RSA key', () => publicJwkOf('RS256'), /"RSA" key is not accepted/],
        ['an EC P-384 key', () => publicJwkOf('ES384'), /"EC" "P-384" key is not accepted/],
        [
          'an HMAC secret (oct)',
          async (): Promise<JWK> => ({ kty: 'oct', k: 'c2hhcmVkLXNlY3JldC1zaGFyZWQtc2VjcmV0' }),
          /private key material/,
        ],
        [
          'an X25519 (encryption) key',
          async (): Promise<JWK> => ({
            kty: 'OKP',
            crv: 'X25519',
            x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo',
          }),
          /"OKP" "X25519" key is not accepted/,
        ],
      ])('refuses %s', async (_name, makeJwk, message) => {
        const registry = await open();
        await expectRefused(registry.addKey(REUSER, await makeJwk()), 'KEY_INVALID', message);
      });

      it('refuses a malformed key, a kid that is not the thumbprint, a clashing alg', async () => {
        const registry = await open();
        const { publicJwk, kid } = await generateReuserKeyPair('ES256');
        await expectRefused(
          registry.addKey(REUSER, { ...publicJwk, y: publicJwk.x }),
          'KEY_INVALID',
          /valid public key/,
        );
        await expectRefused(
          registry.addKey(REUSER, { ...publicJwk, x: 'short' }),
          'KEY_INVALID',
          /"x" must be 32 bytes/,
        );
        await expectRefused(
          registry.addKey(REUSER, { ...publicJwk, kid: 'chosen-by-hand' }),
          'KEY_INVALID',
          new RegExp(`thumbprint is "${kid}"`),
        );
        await expectRefused(
          registry.addKey(REUSER, { ...publicJwk, alg: 'EdDSA' }),
          'KEY_INVALID',
          /set it to "ES256"/,
        );
        await expectRefused(registry.addKey(REUSER, 'not a key' as unknown as JWK), 'KEY_INVALID');
      });

      it('refuses a key registered twice, even once revoked', async () => {
        const registry = await open();
        const { publicJwk, kid } = await generateReuserKeyPair();
        await registry.addKey(REUSER, publicJwk);
        await expectRefused(registry.addKey(REUSER, publicJwk), 'KEY_ALREADY_REGISTERED');
        await registry.revokeKey(kid, 'admin');
        await expectRefused(
          registry.addKey('another-reuser', publicJwk),
          'KEY_ALREADY_REGISTERED',
          /revoked/,
        );
      });

      it('refuses a re-user id that is not a policy id', async () => {
        const registry = await open();
        const { publicJwk } = await generateReuserKeyPair();
        await expectRefused(registry.addKey('Commune de Bellerive', publicJwk), 'ARGUMENT_INVALID');
      });
    });

    describe('validity', () => {
      it('accepts up to 18 months and refuses beyond', async () => {
        const registry = await open();
        const from = new Date('2026-08-31T00:00:00.000Z');
        const longest = await registry.addKey(REUSER, (await generateReuserKeyPair()).publicJwk, {
          validFrom: from,
          validUntil: new Date('2028-02-29T00:00:00.000Z'),
        });
        expect(longest.validUntil).toBe('2028-02-29T00:00:00.000Z');
        await expectRefused(
          registry.addKey(REUSER, (await generateReuserKeyPair()).publicJwk, {
            validFrom: from,
            validUntil: new Date('2028-02-29T00:00:01.000Z'),
          }),
          'VALIDITY_INVALID',
          /at most 18 months: choose a validUntil on or before 2028-02-29/,
        );
        await expectRefused(
          registry.addKey(REUSER, (await generateReuserKeyPair()).publicJwk, {
            validUntil: addMonths(clock.now(), 19),
          }),
          'VALIDITY_INVALID',
        );
      });

      it('refuses a window that ends before it starts or is already over', async () => {
        const registry = await open();
        const { publicJwk } = await generateReuserKeyPair();
        await expectRefused(
          registry.addKey(REUSER, publicJwk, {
            validFrom: new Date(clock.now().getTime() + 10 * DAY),
            validUntil: new Date(clock.now().getTime() + 5 * DAY),
          }),
          'VALIDITY_INVALID',
          /after validFrom/,
        );
        await expectRefused(
          registry.addKey(REUSER, publicJwk, {
            validFrom: new Date(clock.now().getTime() - 10 * DAY),
            validUntil: new Date(clock.now().getTime() - DAY),
          }),
          'VALIDITY_INVALID',
          /already over/,
        );
      });

      it('tells usable keys from expired, future and revoked ones', async () => {
        const registry = await open();
        const soon = await registry.addKey(REUSER, (await generateReuserKeyPair()).publicJwk, {
          validFrom: new Date(clock.now().getTime() + DAY),
          validUntil: new Date(clock.now().getTime() + 2 * DAY),
        });
        expect(keyStateAt(soon, clock.now())).toBe('not-yet-valid');
        expect(keyStateAt(soon, new Date(clock.now().getTime() + DAY))).toBe('usable');
        expect(keyStateAt(soon, new Date(clock.now().getTime() + 2 * DAY))).toBe('expired');
        const revoked = await registry.revokeKey(soon.kid, 'admin');
        expect(keyStateAt(revoked, new Date(clock.now().getTime() + DAY))).toBe('revoked');
      });
    });

    describe('revocation', () => {
      it('revokes at once, records who and why, and is seen by another instance', async () => {
        const first = await open();
        const second = await open();
        const { publicJwk, kid } = await generateReuserKeyPair();
        await first.addKey(REUSER, publicJwk);

        const revoked = await first.revokeKey(kid, 'reuser', '  laptop stolen ');
        expect(revoked).toMatchObject({
          kid,
          status: 'revoked',
          revokedBy: 'reuser',
          revocationReason: 'laptop stolen',
          revokedAt: clock.now().toISOString(),
        });
        expect(await second.findKey(kid)).toEqual(revoked);

        // The first revocation is the one recorded.
        clock.advance(60_000);
        expect(await second.revokeKey(kid, 'admin', 'again')).toEqual(revoked);
      });

      it('refuses to revoke an unknown key with a typed error', async () => {
        const registry = await open();
        await expectRefused(
          registry.revokeKey('no-such-kid', 'admin'),
          'KEY_UNKNOWN',
          /no-such-kid/,
        );
      });
    });

    describe('rotation', () => {
      it('keeps both keys valid during the grace period, then only the new one', async () => {
        const registry = await open();
        const oldPair = await generateReuserKeyPair('ES256');
        const newPair = await generateReuserKeyPair('EdDSA');
        await registry.addKey(REUSER, oldPair.publicJwk);

        const { old, added } = await registry.rotateKey(oldPair.kid, newPair.publicJwk, 7);
        const graceEnd = new Date(clock.now().getTime() + 7 * DAY);
        expect(old).toMatchObject({
          kid: oldPair.kid,
          status: 'active',
          validUntil: graceEnd.toISOString(),
          replacedBy: newPair.kid,
        });
        expect(added).toMatchObject({ kid: newPair.kid, reuserId: REUSER, status: 'active' });

        const duringGrace = new Date(graceEnd.getTime() - 1);
        expect(keyStateAt(old, clock.now())).toBe('usable');
        expect(keyStateAt(added, clock.now())).toBe('usable');
        expect(keyStateAt(old, duringGrace)).toBe('usable');
        expect(keyStateAt(added, duringGrace)).toBe('usable');
        expect(keyStateAt(old, graceEnd)).toBe('expired');
        expect(keyStateAt(added, graceEnd)).toBe('usable');
        expect(await registry.findKey(oldPair.kid)).toEqual(old);
      });

      it('never lengthens the old key, and refuses what cannot be rotated', async () => {
        const registry = await open();
        const oldPair = await generateReuserKeyPair();
        const shortLived = await registry.addKey(REUSER, oldPair.publicJwk, {
          validUntil: new Date(clock.now().getTime() + 2 * DAY),
        });
        const { old, added } = await registry.rotateKey(
          oldPair.kid,
          (await generateReuserKeyPair()).publicJwk,
          30,
        );
        expect(old.validUntil).toBe(shortLived.validUntil);

        const fresh = await generateReuserKeyPair();
        await expectRefused(
          registry.rotateKey(oldPair.kid, fresh.publicJwk, 7),
          'ARGUMENT_INVALID',
          new RegExp(`already rotated to ${added.kid}`),
        );
        await expectRefused(registry.rotateKey('no-such-kid', fresh.publicJwk, 7), 'KEY_UNKNOWN');
        await expectRefused(registry.rotateKey(added.kid, fresh.publicJwk, -1), 'ARGUMENT_INVALID');
        await expectRefused(registry.rotateKey(added.kid, fresh.privateJwk, 7), 'KEY_INVALID');
        await registry.revokeKey(added.kid, 'admin');
        await expectRefused(registry.rotateKey(added.kid, fresh.publicJwk, 7), 'KEY_REVOKED');
        // Nothing was half done by the refused rotations.
        expect(await registry.findKey(fresh.kid)).toBeUndefined();
      });
    });

    describe('replay protection', () => {
      it('tells first use, the same token again, and a replayed id, across instances', async () => {
        const first = await open();
        const second = await open();
        const expiresAt = new Date(clock.now().getTime() + 300_000);
        expect(await first.recordAssertion('jti-1', REUSER, 'hash-a', expiresAt)).toBe('first-use');
        expect(await second.recordAssertion('jti-1', REUSER, 'hash-a', expiresAt)).toBe(
          'same-token',
        );
        expect(await second.recordAssertion('jti-1', REUSER, 'hash-b', expiresAt)).toBe('replayed');
        expect(await first.recordAssertion('jti-1', REUSER, 'hash-b', expiresAt)).toBe('replayed');
        // Ids are scoped by re-user: another re-user cannot burn this one's ids.
        expect(await first.recordAssertion('jti-1', 'other-reuser', 'hash-c', expiresAt)).toBe(
          'first-use',
        );
      });

      it('agrees on one first use when replicas race on the same id', async () => {
        const first = await open();
        const second = await open();
        const expiresAt = new Date(clock.now().getTime() + 300_000);
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            (index % 2 === 0 ? first : second).recordAssertion(
              'jti-race',
              REUSER,
              `hash-${index}`,
              expiresAt,
            ),
          ),
        );
        expect(outcomes.filter((outcome) => outcome === 'first-use')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome === 'replayed')).toHaveLength(9);
      });

      it('purges expired entries, after which the id is free again', async () => {
        const local = testClock('2026-03-02T09:00:00.000Z');
        const registry = await open(local.now);
        const before = await current.countSeenAssertions();
        const at = local.now().getTime();
        await registry.recordAssertion('jti-short', REUSER, 'hash-a', new Date(at + 1_000));
        await registry.recordAssertion('jti-long', REUSER, 'hash-a', new Date(at + 300_000));
        expect(await current.countSeenAssertions()).toBe(before + 2);

        local.advance(2_000);
        await registry.recordAssertion('jti-next', REUSER, 'hash-a', new Date(at + 302_000));
        expect(await current.countSeenAssertions()).toBe(before + 2);
        expect(
          await registry.recordAssertion('jti-short', REUSER, 'hash-b', new Date(at + 302_000)),
        ).toBe('first-use');
        expect(
          await registry.recordAssertion('jti-long', REUSER, 'hash-b', new Date(at + 302_000)),
        ).toBe('replayed');
      });
    });

    describe('change notification', () => {
      it('tells another instance within a second that a key was revoked', async () => {
        const first = await open(() => new Date());
        const second = await open(() => new Date());
        const { publicJwk, kid } = await generateReuserKeyPair();
        await first.addKey(REUSER, publicJwk);
        await new Promise((resolve) => setTimeout(resolve, 600));

        const noticed = nextChange(second, 1_000);
        await first.revokeKey(kid, 'reuser');
        expect(await noticed).toBeLessThan(1_000);
        expect((await second.findKey(kid))?.status).toBe('revoked');
      });

      it('reports additions and rotations, its own changes included', async () => {
        const first = await open(() => new Date());
        const second = await open(() => new Date());
        const pair = await generateReuserKeyPair();

        let noticed = nextChange(second, 1_000);
        const own = nextChange(first, 1_000);
        await first.addKey(REUSER, pair.publicJwk);
        await noticed;
        await own;

        noticed = nextChange(second, 1_000);
        await first.rotateKey(pair.kid, (await generateReuserKeyPair()).publicJwk, 7);
        await noticed;
      });

      it('ignores writes to the replay cache and the notifications', async () => {
        const first = await open(() => new Date());
        const second = await open(() => new Date());
        let changes = 0;
        const stop = second.onChange(() => {
          changes += 1;
        });
        await first.recordAssertion('jti-quiet', REUSER, 'hash', new Date(Date.now() + 60_000));
        await first.queueExpiryWarnings(new Date());
        await new Promise((resolve) => setTimeout(resolve, 800));
        stop();
        expect(changes).toBe(0);
      });
    });

    describe('expiry warnings', () => {
      it('queues each warning once, at 90, 60, 30, 14, 7 and 0 days', async () => {
        const first = await open();
        const second = await open();
        const validUntil = new Date(clock.now().getTime() + 100 * DAY);
        const { kid } = await first.addKey(
          'expiring-reuser',
          (await generateReuserKeyPair()).publicJwk,
          { validUntil },
        );
        const daysBefore = (days: number) => new Date(validUntil.getTime() - days * DAY);
        const queuedAt = async (registry: KeyRegistry, at: Date) =>
          (await registry.queueExpiryWarnings(at))
            .filter((notification) => notification.kid === kid)
            .map((notification) => notification.daysBefore);

        expect(await queuedAt(first, daysBefore(91))).toEqual([]);
        for (const days of [90, 60, 30, 14, 7, 0] as const) {
          expect(await queuedAt(first, daysBefore(days))).toEqual([days]);
          // Once only, whichever replica asks, and however often.
          expect(await queuedAt(second, daysBefore(days))).toEqual([]);
          expect(await queuedAt(first, new Date(daysBefore(days).getTime() + 3_600_000))).toEqual(
            [],
          );
        }
        expect(await queuedAt(first, daysBefore(-1))).toEqual([]);

        const queued = (await second.listNotifications()).filter((item) => item.kid === kid);
        expect(queued.map((item) => item.daysBefore)).toEqual([90, 60, 30, 14, 7, 0]);
        expect(queued[0]).toMatchObject({
          reuserId: 'expiring-reuser',
          validUntil: validUntil.toISOString(),
          queuedAt: daysBefore(90).toISOString(),
        });
        expect(queued.every((item) => item.deliveredAt === undefined)).toBe(true);
      });

      it('skips thresholds passed while nobody asked, and keys revoked or rotated', async () => {
        const registry = await open();
        const at = clock.now().getTime();
        const late = await registry.addKey(
          'late-reuser',
          (await generateReuserKeyPair()).publicJwk,
          {
            validUntil: new Date(at + 20 * DAY),
          },
        );
        const revoked = await registry.addKey(
          'late-reuser',
          (await generateReuserKeyPair()).publicJwk,
          { validUntil: new Date(at + 20 * DAY) },
        );
        await registry.revokeKey(revoked.kid, 'reuser');
        const rotated = await registry.addKey(
          'late-reuser',
          (await generateReuserKeyPair()).publicJwk,
          { validUntil: new Date(at + 20 * DAY) },
        );
        const { added } = await registry.rotateKey(
          rotated.kid,
          (await generateReuserKeyPair()).publicJwk,
          7,
        );

        const queued = await registry.queueExpiryWarnings(clock.now());
        const mine = queued.filter((item) => item.reuserId === 'late-reuser');
        expect(mine.map((item) => [item.kid, item.daysBefore])).toEqual([[late.kid, 30]]);
        expect(mine.some((item) => item.kid === added.kid)).toBe(false);
      });

      it('marks notifications delivered', async () => {
        const registry = await open();
        await registry.addKey('delivered-reuser', (await generateReuserKeyPair()).publicJwk, {
          validUntil: new Date(clock.now().getTime() + 5 * DAY),
        });
        const [notification] = (await registry.queueExpiryWarnings(clock.now())).filter(
          (item) => item.reuserId === 'delivered-reuser',
        );
        if (notification === undefined) throw new Error('expected a notification');
        expect(notification.daysBefore).toBe(7);
        expect(
          (await registry.listNotifications({ undeliveredOnly: true })).map((item) => item.id),
        ).toContain(notification.id);

        await registry.markDelivered(notification.id);
        await registry.markDelivered(notification.id);
        const undelivered = await registry.listNotifications({ undeliveredOnly: true });
        expect(undelivered.map((item) => item.id)).not.toContain(notification.id);
        const all = await registry.listNotifications();
        expect(all.find((item) => item.id === notification.id)?.deliveredAt).toBe(
          clock.now().toISOString(),
        );
        await expectRefused(registry.markDelivered('no-such-id'), 'NOTIFICATION_UNKNOWN');
      });
    });
  });
});

describe('opening a store', () => {
  it('refuses a PostgreSQL schema name that is not a plain identifier', async () => {
    await expectRefused(
      openKeyRegistry({ kind: 'postgres', url: 'postgres://u@127.0.0.1:1/x', schema: 'a"; drop' }),
      'ARGUMENT_INVALID',
    );
  });

  it('reports an unreachable PostgreSQL without its password', async () => {
    const error = await openKeyRegistry({
      kind: 'postgres',
      url: 'postgres://reader:s3cret@127.0.0.1:1/registry',
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(KeyRegistryError);
    expect((error as KeyRegistryError).code).toBe('STORE_UNAVAILABLE');
    expect((error as KeyRegistryError).message).toContain('reader@127.0.0.1:1/registry');
    expect((error as KeyRegistryError).message).not.toContain('s3cret');
  });
});
