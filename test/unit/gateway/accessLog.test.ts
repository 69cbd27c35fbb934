import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CompactSign, generateKeyPair } from 'jose';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FILE_NAME,
  AccessLogError,
  type AccessLogErrorCode,
  type AccessLogStore,
  AccessLogUnavailableError,
  type CheckpointKey,
  createAccessLogWriter,
  ensureCheckpointKey,
  openAccessLogStore,
  readCheckpointPublicKey,
} from '../../../gateway/accessLog/index.js';
import { accessRecord, subjectRefOf } from '../../support/accessRecords.js';
import {
  dropSchema,
  POSTGRES_SKIP_REASON,
  reportPostgresSkipped,
  TEST_POSTGRES_URL,
  uniqueSchemaName,
} from '../../support/postgres.js';

// One suite, run against both stores: whichever the deployment uses, the log
// is durable, searchable and tamper-evident in the same way (DOMAIN.md T1, T3, T5).

type SqlValue = string | number | null;

/** A store the suite runs against: each test gets a fresh, empty one. */
type StoreUnderTest = {
  name: string;
  skipReason?: string;
  create(): {
    open(options: {
      checkpointKey: CheckpointKey;
      checkpointEvery?: number;
      chain?: string;
    }): Promise<AccessLogStore>;
    /** Raw SQL on the log's tables (unqualified names), as an intruder with database access would. */
    tamper(sql: string, params?: SqlValue[]): Promise<void>;
    destroy(): Promise<void>;
  };
};

const sqliteStore: StoreUnderTest = {
  name: 'SQLite',
  create() {
    const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-access-log-'));
    return {
      open: (options) => openAccessLogStore({ kind: 'sqlite', dataDir, ...options }),
      async tamper(sql, params = []) {
        const db = new Database(join(dataDir, ACCESS_LOG_FILE_NAME));
        try {
          db.prepare(sql).run(...params);
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
    const schema = uniqueSchemaName('access_log_test');
    return {
      open: (options) => openAccessLogStore({ kind: 'postgres', url, schema, ...options }),
      async tamper(sql, params = []) {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`SET search_path TO "${schema}"`);
          let index = 0;
          await client.query(
            sql.replace(/\?/g, () => `$${++index}`),
            params,
          );
        } finally {
          await client.end();
        }
      },
      destroy: () => dropSchema(url, schema),
    };
  },
};

reportPostgresSkipped('access log');

async function expectRefused(
  action: Promise<unknown>,
  code: AccessLogErrorCode,
): Promise<AccessLogError> {
  const error = await action.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(AccessLogError);
  expect((error as AccessLogError).code).toBe(code);
  return error as AccessLogError;
}

let keysDir: string;
let checkpointKey: CheckpointKey;

beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'passerelle-access-log-keys-'));
  checkpointKey = await ensureCheckpointKey({
    privateKeyFile: join(keysDir, 'access-log-checkpoint.private.jwk'),
    publicKeyFile: join(keysDir, 'access-log-checkpoint.public.jwk'),
  });
});

afterAll(() => {
  rmSync(keysDir, { recursive: true, force: true });
});

describe.each([sqliteStore, postgresStore])('access log on $name', (store) => {
  const suite = store.skipReason === undefined ? describe : describe.skip;

  suite(store.skipReason === undefined ? 'rules' : `skipped: ${store.skipReason}`, () => {
    let current: ReturnType<StoreUnderTest['create']>;
    const opened: AccessLogStore[] = [];

    const open = async (
      options: { checkpointEvery?: number; chain?: string; key?: CheckpointKey } = {},
    ) => {
      const log = await current.open({
        checkpointKey: options.key ?? checkpointKey,
        ...(options.checkpointEvery === undefined
          ? {}
          : { checkpointEvery: options.checkpointEvery }),
        ...(options.chain === undefined ? {} : { chain: options.chain }),
      });
      opened.push(log);
      return log;
    };

    /** A log holding records 0..count-1, one per second, appended in batches of `batch`. */
    const logWith = async (
      count: number,
      options: { checkpointEvery?: number; batch?: number } = {},
    ) => {
      const log = await open(options);
      const batch = options.batch ?? count;
      for (let start = 0; start < count; start += batch) {
        await log.append(
          Array.from({ length: Math.min(batch, count - start) }, (_, offset) =>
            accessRecord(start + offset),
          ),
        );
      }
      return log;
    };

    beforeEach(() => {
      current = store.create();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((log) => log.close()));
      await current.destroy();
    });

    describe('append and search', () => {
      it('keeps every field of a record and chains it to the previous one', async () => {
        const log = await open();
        const denied = accessRecord(1, {
          outcome: { status: 'denied', code: 'PURPOSE_FIELD_DENIED' },
          reason: 'case 2026-0042',
          subjectRefs: [],
        });
        const unparsed = accessRecord(2, {
          outcome: { status: 'error', code: 'GRAPHQL_PARSE_FAILED' },
          operationType: undefined,
          operationName: undefined,
          clientAddress: undefined,
          coordinates: [],
        });
        delete unparsed.operationType;
        delete unparsed.operationName;
        delete unparsed.clientAddress;
        await log.append([accessRecord(0), denied]);
        await log.append([unparsed]);

        const found = await log.search();
        expect(found.map((record) => record.requestId)).toEqual([
          'request-2',
          'request-1',
          'request-0',
        ]);
        const [third, second, first] = found;
        expect(first).toMatchObject({ ...accessRecord(0), chain: 'main', sequence: 1 });
        expect(first?.previousHash).toBe('0'.repeat(64));
        expect(second).toEqual({
          ...denied,
          chain: 'main',
          sequence: 2,
          previousHash: first?.hash,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(third).toEqual({
          ...unparsed,
          chain: 'main',
          sequence: 3,
          previousHash: second?.hash,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(third).not.toHaveProperty('operationType');
        expect(await log.verify()).toEqual({ ok: true, records: 3, chains: 1 });
      });

      it('finds a person’s accesses by subject reference, and filters by re-user, purpose, time and outcome', async () => {
        const log = await open();
        const bob = subjectRefOf('bob');
        await log.append([
          accessRecord(0),
          accessRecord(1, { subjectRefs: [bob, subjectRefOf('alice')], reuserId: 'caf-ouest' }),
          accessRecord(2, { subjectRefs: [bob], purposeId: 'student-job' }),
          accessRecord(3, {
            subjectRefs: [bob],
            outcome: { status: 'denied', code: 'RATE_LIMITED' },
          }),
          accessRecord(4, { subjectRefs: [subjectRefOf('carol')] }),
        ]);
        const ids = async (filter: Parameters<AccessLogStore['search']>[0]) =>
          (await log.search(filter)).map((record) => record.requestId);

        expect(await ids({ subjectRef: bob })).toEqual(['request-3', 'request-2', 'request-1']);
        expect(await ids({ subjectRef: subjectRefOf('alice') })).toEqual([
          'request-1',
          'request-0',
        ]);
        expect(await ids({ subjectRef: subjectRefOf('nobody') })).toEqual([]);
        expect(await ids({ reuserId: 'caf-ouest' })).toEqual(['request-1']);
        expect(await ids({ purposeId: 'student-job' })).toEqual(['request-2']);
        expect(await ids({ outcome: 'denied' })).toEqual(['request-3']);
        expect(await ids({ subjectRef: bob, outcome: 'allowed' })).toEqual([
          'request-2',
          'request-1',
        ]);
        expect(
          await ids({
            from: new Date('2026-03-02T09:00:01.000Z'),
            to: new Date('2026-03-02T09:00:03.000Z'),
          }),
        ).toEqual(['request-2', 'request-1']);
        expect(await ids({ limit: 2 })).toEqual(['request-4', 'request-3']);
      });

      it('refuses a person id where a subject reference is expected, and bad limits', async () => {
        const log = await open();
        await expectRefused(log.search({ subjectRef: 'person-123' }), 'ARGUMENT_INVALID');
        await expectRefused(log.search({ limit: 0 }), 'ARGUMENT_INVALID');
        await expectRefused(log.search({ from: new Date('nope') }), 'ARGUMENT_INVALID');
      });

      it('refuses a whole batch when one record is malformed, writing nothing', async () => {
        const log = await open();
        const error = await expectRefused(
          log.append([accessRecord(0), { ...accessRecord(1), documentHash: 'select *' }]),
          'RECORD_INVALID',
        );
        expect(error.message).toContain('access record 1: documentHash');
        await expectRefused(
          log.append([{ ...accessRecord(0), outcome: { status: 'denied' } } as never]),
          'RECORD_INVALID',
        );
        expect(await log.search()).toEqual([]);
        expect(await log.verify()).toEqual({ ok: true, records: 0, chains: 0 });
      });

      it('continues the chain across reopenings', async () => {
        const first = await open();
        await first.append([accessRecord(0)]);
        await first.close();
        const second = await open();
        await second.append([accessRecord(1)]);
        const [latest] = await second.search({ limit: 1 });
        expect(latest?.sequence).toBe(2);
        expect(await second.verify()).toEqual({ ok: true, records: 2, chains: 1 });
      });

      it('cannot append with the public checkpoint key only, but can verify', async () => {
        await logWith(3);
        const publicOnly = await readCheckpointPublicKey(
          join(keysDir, 'access-log-checkpoint.public.jwk'),
        );
        const auditor = await open({ key: publicOnly });
        await expect(auditor.append([accessRecord(9)])).rejects.toBeInstanceOf(
          AccessLogUnavailableError,
        );
        expect(await auditor.verify()).toEqual({ ok: true, records: 3, chains: 1 });
      });
    });

    describe('tamper evidence', () => {
      it('detects a modified field at its record', async () => {
        const log = await logWith(10, { checkpointEvery: 4, batch: 3 });
        expect((await log.verify()).ok).toBe(true);
        await current.tamper(
          "UPDATE access_log_records SET reuser_id = 'someone-else' WHERE sequence = 6",
        );
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 6, reason: 'hash-mismatch' },
        });
      });

      it('detects an added code on an allowed outcome, and an edited subject list', async () => {
        const log = await logWith(5);
        await current.tamper("UPDATE access_log_records SET outcome_code = 'X' WHERE sequence = 4");
        await current.tamper(
          `UPDATE access_log_records SET subject_refs = '[]' WHERE sequence = 2`,
        );
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 2, reason: 'hash-mismatch' },
        });
      });

      it('detects a deleted record, in the middle or at the end', async () => {
        const log = await logWith(8);
        await current.tamper('DELETE FROM access_log_records WHERE sequence = 8');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 8, reason: 'record-missing' },
        });
        await current.tamper('DELETE FROM access_log_records WHERE sequence = 3');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 3, reason: 'record-missing' },
        });
      });

      it('detects records deleted from the start, which only a signed purge may do', async () => {
        const log = await logWith(8, { checkpointEvery: 3 });
        // A periodic checkpoint exists at 3: it must not serve as a starting point.
        await current.tamper('DELETE FROM access_log_records WHERE sequence <= 3');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 1, reason: 'record-missing' },
        });
      });

      it('detects two records whose sequences were swapped', async () => {
        const log = await logWith(6);
        await current.tamper('UPDATE access_log_records SET sequence = -1 WHERE sequence = 3');
        await current.tamper('UPDATE access_log_records SET sequence = 3 WHERE sequence = 4');
        await current.tamper('UPDATE access_log_records SET sequence = 4 WHERE sequence = -1');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 3, reason: 'link-mismatch' },
        });
      });

      it('detects a rewritten tail through the signed checkpoint it contradicts', async () => {
        const log = await logWith(6, { checkpointEvery: 4, batch: 1 });
        // The intruder edits record 2 and recomputes every hash after it, and
        // the head, as anyone can: only the checkpoint at 4 needs the key.
        const rows = await log.search({ limit: 10 });
        const { recordHash } = await import('../../../gateway/accessLog/index.js');
        let previous = rows.find((row) => row.sequence === 1)?.hash ?? '';
        for (const sequence of [2, 3, 4, 5, 6]) {
          const row = rows.find((candidate) => candidate.sequence === sequence);
          if (row === undefined) throw new Error('missing row');
          const {
            chain,
            hash: _hash,
            previousHash: _previous,
            sequence: _sequence,
            ...record
          } = row;
          const edited = sequence === 2 ? { ...record, agent: 'nobody' } : record;
          const hash = recordHash(edited, chain, sequence, previous);
          await current.tamper(
            'UPDATE access_log_records SET agent = ?, previous_hash = ?, hash = ? WHERE sequence = ?',
            [edited.agent, previous, hash, sequence],
          );
          previous = hash;
        }
        await current.tamper('UPDATE access_log_chains SET last_hash = ?', [previous]);
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 4, reason: 'checkpoint-mismatch' },
        });
      });

      it('detects a forged or altered checkpoint', async () => {
        const log = await logWith(6, { checkpointEvery: 4, batch: 1 });
        const [record5] = await log
          .search({ limit: 2 })
          .then((rows) => rows.filter((row) => row.sequence === 5));
        // Signed with another Ed25519 key, in the right format.
        const { privateKey } = await generateKeyPair('EdDSA', {
          crv: 'Ed25519',
          extractable: true,
        });
        const forged = await new CompactSign(
          new TextEncoder().encode(
            JSON.stringify({
              chain: 'main',
              sequence: 5,
              hash: record5?.hash,
              kind: 'purge',
              signedAt: '2026-03-02T10:00:00.000Z',
            }),
          ),
        )
          .setProtectedHeader({
            alg: 'EdDSA',
            kid: checkpointKey.kid,
            typ: 'passerelle-log-checkpoint+jws',
          })
          .sign(privateKey);
        await current.tamper(
          `INSERT INTO access_log_checkpoints (chain, sequence, hash, kind, signed_at, signature)
           VALUES ('main', 5, ?, 'purge', '2026-03-02T10:00:00.000Z', ?)`,
          [record5?.hash ?? '', forged],
        );
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 5, reason: 'checkpoint-signature' },
        });
        await current.tamper('DELETE FROM access_log_checkpoints WHERE sequence = 5');
        expect((await log.verify()).ok).toBe(true);
        // A genuine checkpoint moved to another record no longer holds.
        await current.tamper('UPDATE access_log_checkpoints SET hash = ? WHERE sequence = 4', [
          record5?.hash ?? '',
        ]);
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 4, reason: 'checkpoint-signature' },
        });
      });

      it('detects a checkpoint signed by another key than the one verifying', async () => {
        await logWith(4, { checkpointEvery: 2, batch: 1 });
        const otherDir = mkdtempSync(join(tmpdir(), 'passerelle-other-key-'));
        try {
          const other = await ensureCheckpointKey({
            privateKeyFile: join(otherDir, 'private.jwk'),
            publicKeyFile: join(otherDir, 'public.jwk'),
          });
          const verifier = await open({ key: other });
          expect(await verifier.verify()).toEqual({
            ok: false,
            firstBroken: { chain: 'main', sequence: 2, reason: 'checkpoint-signature' },
          });
        } finally {
          rmSync(otherDir, { recursive: true, force: true });
        }
      });

      it('detects a chain whose head was removed, and records beyond the head', async () => {
        const log = await logWith(3);
        await current.tamper('UPDATE access_log_chains SET last_sequence = 2');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 3, reason: 'head-mismatch' },
        });
        await current.tamper('DELETE FROM access_log_chains');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 1, reason: 'head-mismatch' },
        });
      });
    });

    describe('purge', () => {
      it('deletes records before the date and stays verifiable from the signed cut', async () => {
        const log = await logWith(10, { checkpointEvery: 4, batch: 2 });
        const result = await log.purge(new Date('2026-03-02T09:00:06.000Z'));
        expect(result).toEqual({ purged: 6, cuts: [{ chain: 'main', sequence: 6 }] });
        expect((await log.search()).map((record) => record.sequence)).toEqual([10, 9, 8, 7]);
        expect(await log.verify()).toEqual({ ok: true, records: 4, chains: 1 });
        // Appending and purging again keep it verifiable.
        await log.append([accessRecord(10), accessRecord(11)]);
        expect(await log.purge(new Date('2026-03-02T09:00:06.000Z'))).toEqual({
          purged: 0,
          cuts: [],
        });
        expect(await log.purge(new Date('2026-03-02T09:00:09.000Z'))).toEqual({
          purged: 3,
          cuts: [{ chain: 'main', sequence: 9 }],
        });
        expect(await log.verify()).toEqual({ ok: true, records: 3, chains: 1 });
        expect(await log.search({ subjectRef: subjectRefOf('alice') })).toHaveLength(3);
        // Deleting beyond the cut is still noticed.
        await current.tamper('DELETE FROM access_log_records WHERE sequence = 10');
        expect(await log.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'main', sequence: 10, reason: 'record-missing' },
        });
      });

      it('can purge everything, and the empty chain still verifies and continues', async () => {
        const log = await logWith(3);
        expect(await log.purge(new Date('2027-01-01T00:00:00.000Z'))).toEqual({
          purged: 3,
          cuts: [{ chain: 'main', sequence: 3 }],
        });
        expect(await log.verify()).toEqual({ ok: true, records: 0, chains: 1 });
        await log.append([accessRecord(20)]);
        expect(await log.verify()).toEqual({ ok: true, records: 1, chains: 1 });
        expect((await log.search())[0]?.sequence).toBe(4);
      });

      it('keeps an old record that follows a younger one, so the chain is cut in one place', async () => {
        const log = await open();
        await log.append([accessRecord(0), accessRecord(5), accessRecord(1), accessRecord(6)]);
        const result = await log.purge(new Date('2026-03-02T09:00:03.000Z'));
        expect(result.purged).toBe(1);
        expect((await log.search()).map((record) => record.requestId).sort()).toEqual([
          'request-1',
          'request-5',
          'request-6',
        ]);
        expect((await log.verify()).ok).toBe(true);
      });

      it('refuses to purge an altered log, keeping the evidence', async () => {
        const log = await logWith(4);
        await current.tamper("UPDATE access_log_records SET agent = 'x' WHERE sequence = 1");
        await expectRefused(log.purge(new Date('2027-01-01T00:00:00.000Z')), 'CHAIN_BROKEN');
        expect(await log.search()).toHaveLength(4);
      });
    });

    describe('concurrent writers', () => {
      it('two writers on two connections append one verifiable chain', async () => {
        const first = await open({ checkpointEvery: 25 });
        const second = await open({ checkpointEvery: 25 });
        const writers = [
          createAccessLogWriter(first, { maxBatch: 8, maxDelayMs: 1 }),
          createAccessLogWriter(second, { maxBatch: 8, maxDelayMs: 1 }),
        ];
        await Promise.all(
          Array.from({ length: 120 }, (_, index) =>
            writers[index % 2]?.write(accessRecord(index, { requestId: `w${index % 2}-${index}` })),
          ),
        );
        await Promise.all(writers.map((writer) => writer.close()));
        const stats = writers.map((writer) => writer.stats());
        expect(stats.map((stat) => stat.records)).toEqual([60, 60]);
        // Batched: far fewer transactions than records.
        expect(stats.every((stat) => stat.commits < 60)).toBe(true);
        expect(await first.verify()).toEqual({ ok: true, records: 120, chains: 1 });
        const sequences = (await first.search({ limit: 1000 })).map((record) => record.sequence);
        expect(sequences.sort((a, b) => a - b)).toEqual(
          Array.from({ length: 120 }, (_, index) => index + 1),
        );
      });

      it('keeps separate chains apart when configured', async () => {
        const east = await open({ chain: 'east' });
        const west = await open({ chain: 'west' });
        await east.append([accessRecord(0), accessRecord(1)]);
        await west.append([accessRecord(2)]);
        expect(await east.verify()).toEqual({ ok: true, records: 3, chains: 2 });
        await current.tamper("DELETE FROM access_log_records WHERE chain = 'west'");
        expect(await east.verify()).toEqual({
          ok: false,
          firstBroken: { chain: 'west', sequence: 1, reason: 'record-missing' },
        });
      });
    });

    it('reports a closed store as unavailable', async () => {
      const log = await open();
      await log.close();
      await expect(log.append([accessRecord(0)])).rejects.toBeInstanceOf(AccessLogUnavailableError);
    });
  });
});

describe('opening a store', () => {
  it('fails with AccessLogUnavailableError when SQLite cannot create its file', async () => {
    // A data folder under a plain file cannot exist.
    const file = join(keysDir, 'not-a-folder');
    writeFileSync(file, '');
    const error = await openAccessLogStore({
      kind: 'sqlite',
      dataDir: join(file, 'data'),
      checkpointKey,
    }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AccessLogUnavailableError);
    expect((error as Error).message).toContain('cannot open the access log');
  });

  it('fails with AccessLogUnavailableError when PostgreSQL cannot be reached', async () => {
    const error = await openAccessLogStore({
      kind: 'postgres',
      url: 'postgres://nobody@127.0.0.1:1/none',
      checkpointKey,
    }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AccessLogUnavailableError);
    expect((error as Error).message).toContain('PostgreSQL nobody@127.0.0.1:1/none');
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expectRefused(
      openAccessLogStore({
        kind: 'postgres',
        url: 'postgres://x@127.0.0.1/x',
        schema: 'a; drop',
        checkpointKey,
      }),
      'ARGUMENT_INVALID',
    );
  });
});
