import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLockout,
  type Lockout,
  startExpiryNotifier,
} from '../../../gateway/authentication/index.js';
import { generateReuserKeyPair } from '../../../gateway/clientAssertion/index.js';
import { type KeyRegistry, openKeyRegistry } from '../../../gateway/keyRegistry/index.js';
import {
  REDIS_SKIP_REASON,
  reportRedisSkipped,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
} from '../../support/redis.js';

const SETTINGS = { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 1 };

describe.each([
  { store: 'memory' },
  {
    store: 'redis',
    ...(TEST_REDIS_URL === undefined ? { skipReason: REDIS_SKIP_REASON } : {}),
  },
])('lockout in $store', ({ store, skipReason }) => {
  const clients: Redis[] = [];
  /** Two gateway replicas: with Redis they share the failures, in memory each has its own. */
  let replicas: [Lockout, Lockout];

  beforeEach(async () => {
    if (store === 'memory') {
      replicas = [createLockout(SETTINGS), createLockout(SETTINGS)];
      return;
    }
    const keyPrefix = uniqueRedisPrefix('lockout');
    const make = () => {
      const redis = new Redis(TEST_REDIS_URL as string, { enableOfflineQueue: false });
      clients.push(redis);
      return createLockout(SETTINGS, { redis, keyPrefix });
    };
    replicas = [make(), make()];
    // No offline queue: a call before the connection is up would fail.
    await Promise.all(clients.map((client) => once(client, 'ready')));
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.quit()));
  });

  it.skipIf(skipReason !== undefined)(
    'locks a pair after the maximum of failures, only that pair, then releases it',
    async () => {
      const [first, second] = replicas;
      expect(await first.recordFailure('commune-a', '192.0.2.1')).toBe(false);
      expect(await first.recordFailure('commune-a', '192.0.2.1')).toBe(false);
      expect(await first.state('commune-a', '192.0.2.1')).toEqual({ locked: false, failures: 2 });
      expect(await first.recordFailure('commune-a', '192.0.2.1')).toBe(true);
      expect(await first.state('commune-a', '192.0.2.1')).toEqual({
        locked: true,
        retryAfterSeconds: 1,
      });
      expect((await first.state('commune-a', '192.0.2.2')).locked).toBe(false);
      expect((await first.state('commune-b', '192.0.2.1')).locked).toBe(false);
      // Another replica sees the lock only when the store is shared.
      expect((await second.state('commune-a', '192.0.2.1')).locked).toBe(store === 'redis');
      await sleep(1_100);
      expect((await first.state('commune-a', '192.0.2.1')).locked).toBe(false);
    },
  );

  it.skipIf(skipReason !== undefined)('forgets failures after a success', async () => {
    const [first] = replicas;
    await first.recordFailure('commune-a', '192.0.2.9');
    await first.recordFailure('commune-a', '192.0.2.9');
    await first.recordSuccess('commune-a', '192.0.2.9');
    expect(await first.state('commune-a', '192.0.2.9')).toEqual({ locked: false, failures: 0 });
    expect(await first.recordFailure('commune-a', '192.0.2.9')).toBe(false);
  });
});
reportRedisSkipped('authentication lockout');

describe('key expiry warnings', () => {
  let dataDir: string;
  let registry: KeyRegistry;
  let webhook: Server;
  let webhookUrl: string;
  const received: unknown[] = [];
  let answerStatus = 500;
  const logged: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        logged.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passerelle-expiry-'));
    registry = await openKeyRegistry({ kind: 'sqlite', dataDir });
    received.length = 0;
    logged.length = 0;
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.writeHead(answerStatus).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/keys`;
  });

  afterEach(async () => {
    await registry.close();
    await new Promise((resolve) => webhook.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function keyExpiringInDays(days: number) {
    const { publicJwk } = await generateReuserKeyPair('EdDSA');
    return registry.addKey('commune-a', publicJwk, {
      validUntil: new Date(Date.now() + days * 24 * 60 * 60 * 1000 - 60_000),
    });
  }

  const reusers = () =>
    new Map([
      ['commune-a', { webhookUrl, contacts: [{ role: 'technical', email: 'tech@a.example' }] }],
    ]);

  it('posts each warning to the re-user webhook in production, and retries until it is taken', async () => {
    const key = await keyExpiringInDays(7);
    answerStatus = 503;
    const notifier = startExpiryNotifier({
      registry,
      mode: 'production',
      reusers,
      logger,
      intervalMs: 3_600_000,
    });
    try {
      await notifier.runOnce();
      expect(received).toHaveLength(1);
      expect(await registry.listNotifications({ undeliveredOnly: true })).toHaveLength(1);

      answerStatus = 204;
      await notifier.runOnce();
      expect(received).toHaveLength(2);
      expect(received[1]).toEqual({
        type: 'key-expiry-warning',
        reuser: 'commune-a',
        kid: key.kid,
        daysBefore: 7,
        validUntil: key.validUntil,
      });
      expect(await registry.listNotifications({ undeliveredOnly: true })).toEqual([]);
      await notifier.runOnce();
      expect(received).toHaveLength(2);
    } finally {
      notifier.stop();
    }
  });

  it('writes the warnings to the log in the sandbox, naming the contacts', async () => {
    const key = await keyExpiringInDays(30);
    const notifier = startExpiryNotifier({
      registry,
      mode: 'sandbox',
      reusers,
      logger,
      intervalMs: 3_600_000,
    });
    try {
      await notifier.runOnce();
      expect(received).toEqual([]);
      expect(logged).toContainEqual(
        expect.objectContaining({
          kid: key.kid,
          daysBefore: 30,
          contacts: ['tech@a.example'],
          msg: 're-user key expires in 30 days',
        }),
      );
      expect(await registry.listNotifications({ undeliveredOnly: true })).toEqual([]);
    } finally {
      notifier.stop();
    }
  });
});
