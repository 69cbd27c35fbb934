import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccessLogError,
  type AccessLogStore,
  AccessLogUnavailableError,
  type CommitReport,
  createAccessLogWriter,
  ensureCheckpointKey,
  openAccessLogStore,
} from '../../../gateway/accessLog/index.js';
import { accessRecord } from '../../support/accessRecords.js';

// Group commit (issue 5): concurrent writes share one transaction, and each
// write resolves only once its record is durable, or rejects.

let dataDir: string;
let store: AccessLogStore;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'passerelle-access-writer-'));
  const checkpointKey = await ensureCheckpointKey({
    privateKeyFile: join(dataDir, 'keys', 'access-log-checkpoint.private.jwk'),
    publicKeyFile: join(dataDir, 'keys', 'access-log-checkpoint.public.jwk'),
  });
  store = await openAccessLogStore({ kind: 'sqlite', dataDir, checkpointKey });
});

afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The store, its `append` calls counted: one call is one transaction. */
function counting(inner: AccessLogStore): AccessLogStore & { appends: number[] } {
  const appends: number[] = [];
  return {
    ...inner,
    appends,
    append(records) {
      appends.push(records.length);
      return inner.append(records);
    },
  };
}

/** A store whose commits fail, as when the disk is full or the database is down. */
function failingStore(inner: AccessLogStore): AccessLogStore {
  return {
    ...inner,
    append: () => Promise.reject(new Error('disk I/O error')),
  };
}

describe('access-log writer', () => {
  it('commits concurrent writes in one transaction, each resolving once durable', async () => {
    const observed = counting(store);
    const commits: CommitReport[] = [];
    const writer = createAccessLogWriter(observed, {
      maxBatch: 100,
      maxDelayMs: 20,
      onCommit: (commit) => commits.push(commit),
    });
    const durable: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        writer.write(accessRecord(index)).then(async () => {
          // Resolved means readable from the store already.
          const found = await store.search({ limit: 1000 });
          if (found.some((record) => record.requestId === `request-${index}`)) durable.push(index);
        }),
      ),
    );
    expect(observed.appends).toEqual([40]);
    expect(commits).toEqual([{ records: 40, durationMs: expect.any(Number), ok: true }]);
    expect(writer.stats()).toEqual({ commits: 1, records: 40, failedCommits: 0, pending: 0 });
    expect(durable).toHaveLength(40);
    expect(await store.verify()).toEqual({ ok: true, records: 40, chains: 1 });
  });

  it('splits at maxBatch, and writes arriving during a commit form the next batch', async () => {
    const observed = counting(store);
    const writer = createAccessLogWriter(observed, { maxBatch: 10, maxDelayMs: 0 });
    const first = Array.from({ length: 25 }, (_, index) => writer.write(accessRecord(index)));
    await first[0];
    const second = Array.from({ length: 5 }, (_, index) => writer.write(accessRecord(25 + index)));
    await Promise.all([...first, ...second]);
    expect(observed.appends.every((size) => size <= 10)).toBe(true);
    expect(observed.appends.reduce((sum, size) => sum + size, 0)).toBe(30);
    expect(observed.appends.length).toBeLessThan(30);
    expect(await store.verify()).toEqual({ ok: true, records: 30, chains: 1 });
  });

  it('rejects every write of a failed commit with AccessLogUnavailableError, and recovers', async () => {
    let failing = true;
    const flaky: AccessLogStore = {
      ...store,
      append: (records) => (failing ? failingStore(store).append(records) : store.append(records)),
    };
    const commits: CommitReport[] = [];
    const writer = createAccessLogWriter(flaky, {
      maxDelayMs: 5,
      onCommit: (commit) => commits.push(commit),
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) => writer.write(accessRecord(index))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('rejected'));
    for (const outcome of outcomes) {
      const reason = (outcome as PromiseRejectedResult).reason as AccessLogError;
      expect(reason).toBeInstanceOf(AccessLogUnavailableError);
      expect(reason.code).toBe('ACCESS_LOG_UNAVAILABLE');
      expect(reason.message).toContain('disk I/O error');
    }
    expect(commits.map((commit) => commit.ok)).toEqual([false]);
    expect(writer.stats()).toMatchObject({ commits: 0, failedCommits: 1 });
    expect(await store.search()).toEqual([]);

    failing = false;
    await writer.write(accessRecord(9));
    expect((await store.search()).map((record) => record.requestId)).toEqual(['request-9']);
  });

  it('rejects a malformed record on its own, without failing the others', async () => {
    const writer = createAccessLogWriter(store, { maxDelayMs: 5 });
    const [good, bad] = await Promise.allSettled([
      writer.write(accessRecord(0)),
      writer.write({ ...accessRecord(1), timestamp: 'yesterday' }),
    ]);
    expect(good?.status).toBe('fulfilled');
    const reason = (bad as PromiseRejectedResult).reason as AccessLogError;
    expect(reason).toBeInstanceOf(AccessLogError);
    expect(reason.code).toBe('RECORD_INVALID');
    expect(await store.search()).toHaveLength(1);
  });

  it('flushes on close and then refuses new writes', async () => {
    const observed = counting(store);
    const writer = createAccessLogWriter(observed, { maxDelayMs: 60_000 });
    const pending = [writer.write(accessRecord(0)), writer.write(accessRecord(1))];
    expect(writer.stats().pending).toBe(2);
    await writer.close();
    await Promise.all(pending);
    expect(observed.appends).toEqual([2]);
    await expect(writer.write(accessRecord(2))).rejects.toBeInstanceOf(AccessLogUnavailableError);
    expect(await store.search()).toHaveLength(2);
  });

  it('flush commits what is pending without waiting for the delay', async () => {
    const writer = createAccessLogWriter(store, { maxDelayMs: 60_000 });
    const pending = writer.write(accessRecord(0));
    await writer.flush();
    await pending;
    expect(await store.search()).toHaveLength(1);
    await writer.close();
  });
});
