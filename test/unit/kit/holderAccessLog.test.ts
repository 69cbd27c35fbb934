import { createHmac } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ChainedHolderAccessRecord,
  HOLDER_ACCESS_LOG_UNAVAILABLE,
  holderAccessLogPath,
  holderSubjectReferenceKeyPath,
  openHolderAccessLog,
  purgeHolderAccessLog,
  SUBJECTS_EXTENSION,
  searchHolderAccessLog,
  verifyHolderAccessLog,
} from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE, namedPeople } from '../../../subgraphs/sandbox/index.js';
import { purposeClaims } from '../../support/gatewayContext.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import { startTestHolder, TEST_REUSER, type TestHolder } from '../subgraphs/harness.js';

// The data holder's own copy of the access log (DOMAIN.md T2): one record per
// request bound to a purpose, linked to the gateway's by request and trace
// ids, with the coordinates resolved and the persons served as references
// only; written before the response leaves, hash-chained.

const lyon = namedPeople(TEST_DATASET.asOf).homonymBornInLyon;
const PIVOT = `familyName: "${lyon.familyName}", givenNames: "${lyon.givenNames}", birthDate: "${lyon.birthDate}"`;
const SERVED_QUERY = `{ personsByPivotIdentity(${PIVOT}) { familyName residenceCommune { name } } }`;

let civilStatus: TestHolder;
let requestCounter = 0;

beforeAll(async () => {
  civilStatus = await startTestHolder('civil-status');
});

afterAll(async () => {
  await civilStatus?.stop();
});

/** A query bound to identity-check, with a request id of its own; returns the response and the id. */
async function ask(text: string, holder = civilStatus) {
  requestCounter += 1;
  const requestId = `holder-log-test-${requestCounter}`;
  const traceId = `${requestCounter.toString(16).padStart(32, '0')}`;
  const response = await holder.queryAs(
    text,
    purposeClaims('identity-check', TEST_REUSER, { requestId, traceId, reason: 'case-42' }),
  );
  return { response, requestId, traceId };
}

async function recordsOf(requestId: string, holder = civilStatus) {
  return searchHolderAccessLog({ dataDir: holder.logDataDir, holder: holder.name, requestId });
}

function extensionsOf(response: { body: object }): Record<string, unknown> | undefined {
  return (response.body as { extensions?: Record<string, unknown> }).extensions;
}

async function referenceOf(personId: string, holder = civilStatus): Promise<string> {
  const key = (
    await readFile(holderSubjectReferenceKeyPath(holder.logDataDir, holder.name), 'utf8')
  ).trim();
  return createHmac('sha256', Buffer.from(key, 'hex')).update(personId).digest('hex');
}

describe("a data holder's own access log", () => {
  it('records a served request: ids, who, purpose, coordinates and subject references', async () => {
    const { response, requestId, traceId } = await ask(SERVED_QUERY);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const records = await recordsOf(requestId);
    expect(records).toHaveLength(1);
    const record = records[0] as ChainedHolderAccessRecord;
    expect(record).toMatchObject({
      holder: 'civil-status',
      requestId,
      traceId,
      reuserId: TEST_REUSER,
      agent: 'agent-test-1',
      purposeId: 'identity-check',
      reason: 'case-42',
      policyVersion: 'test-policy-version',
      outcome: { status: 'served' },
    });
    expect(record.coordinates).toEqual([
      'Commune.name',
      'Person.familyName',
      'Person.residenceCommune',
      'Query.personsByPivotIdentity',
    ]);
    const served = extensionsOf(response)?.[SUBJECTS_EXTENSION] as string[];
    expect(served.length).toBe(2);
    expect(record.subjectRefs).toEqual(
      (await Promise.all(served.map((id) => referenceOf(id)))).sort(),
    );
    expect(Date.parse(record.timestamp)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('never stores a person id in clear', async () => {
    await ask(SERVED_QUERY);
    const db = new Database(holderAccessLogPath(civilStatus.logDataDir, 'civil-status'), {
      readonly: true,
    });
    const dump = JSON.stringify(db.prepare('SELECT * FROM holder_access_records').all());
    db.close();
    for (const person of [NAMED_PEOPLE.homonymBornInLyon, NAMED_PEOPLE.homonymBornInRennes]) {
      expect(dump).not.toContain(person.personId);
    }
    const found = await searchHolderAccessLog({
      dataDir: civilStatus.logDataDir,
      holder: 'civil-status',
      personId: NAMED_PEOPLE.homonymBornInLyon.personId,
    });
    expect(found.length).toBeGreaterThan(0);
  });

  it('records a refused field with its code, and only what resolved', async () => {
    const { response, requestId } = await ask(
      `{ personsByPivotIdentity(${PIVOT}) { familyName civilStatusUpdatedOn } }`,
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_FIELD_DENIED');
    const [record] = await recordsOf(requestId);
    expect(record?.outcome).toEqual({ status: 'refused', code: 'PURPOSE_FIELD_DENIED' });
    expect(record?.coordinates).toEqual(['Person.familyName', 'Query.personsByPivotIdentity']);
  });

  it('logs nothing for the gateway service calls (schema reads, probes)', async () => {
    const before = verifyHolderAccessLog({
      dataDir: civilStatus.logDataDir,
      holder: 'civil-status',
    });
    expect((await civilStatus.query('{ _service { sdl } }')).status).toBe(200);
    expect((await civilStatus.query('{ __typename }')).status).toBe(200);
    const after = verifyHolderAccessLog({
      dataDir: civilStatus.logDataDir,
      holder: 'civil-status',
    });
    expect(after).toEqual(before);
  });

  it('keeps its subject reference key private to its owner', () => {
    const key = holderSubjectReferenceKeyPath(civilStatus.logDataDir, 'civil-status');
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('commits concurrent requests as one unbroken chain', async () => {
    const asked = await Promise.all(Array.from({ length: 12 }, () => ask(SERVED_QUERY)));
    for (const { requestId } of asked) expect(await recordsOf(requestId)).toHaveLength(1);
    expect(
      verifyHolderAccessLog({ dataDir: civilStatus.logDataDir, holder: 'civil-status' }),
    ).toMatchObject({ ok: true });
  });
});

describe('no log, no data on the holder side', () => {
  let broken: TestHolder;

  beforeEach(async () => {
    broken = await startTestHolder('civil-status');
    return () => broken.stop();
  });

  it('answers 503 HOLDER_ACCESS_LOG_UNAVAILABLE with no data when its log cannot be written', async () => {
    // The log file's connection is gone: every write fails.
    broken.accessLog.close();
    const { response } = await ask(SERVED_QUERY, broken);
    expect(response.status).toBe(503);
    expect(response.body.data).toBeUndefined();
    expect(extensionsOf(response)).toBeUndefined();
    expect(response.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: HOLDER_ACCESS_LOG_UNAVAILABLE } }),
    ]);
    expect(JSON.stringify(response.body)).not.toContain(lyon.familyName);
  });
});

describe('verifyHolderAccessLog', () => {
  it('detects a row edited after the fact', async () => {
    const holder = await startTestHolder('civil-status');
    try {
      const asked = [];
      for (let index = 0; index < 3; index += 1) asked.push(await ask(SERVED_QUERY, holder));
      const options = { dataDir: holder.logDataDir, holder: holder.name };
      expect(verifyHolderAccessLog(options)).toEqual({ ok: true, records: 3 });
      const db = new Database(holderAccessLogPath(holder.logDataDir, holder.name));
      db.prepare(
        "UPDATE holder_access_records SET purpose_id = 'something-else' WHERE sequence = 2",
      ).run();
      db.close();
      expect(verifyHolderAccessLog(options)).toMatchObject({ ok: false, records: 1, sequence: 2 });
    } finally {
      await holder.stop();
    }
  });

  it('detects a row removed from the middle', async () => {
    const holder = await startTestHolder('civil-status');
    try {
      for (let index = 0; index < 3; index += 1) await ask(SERVED_QUERY, holder);
      const options = { dataDir: holder.logDataDir, holder: holder.name };
      const db = new Database(holderAccessLogPath(holder.logDataDir, holder.name));
      db.prepare('DELETE FROM holder_access_records WHERE sequence = 2').run();
      db.close();
      expect(verifyHolderAccessLog(options)).toMatchObject({ ok: false, sequence: 3 });
    } finally {
      await holder.stop();
    }
  });

  it('continues the chain across reopenings of the file', async () => {
    const holder = await startTestHolder('civil-status');
    try {
      await ask(SERVED_QUERY, holder);
      const again = await openHolderAccessLog({ dataDir: holder.logDataDir, holder: holder.name });
      await again.append({
        timestamp: new Date().toISOString(),
        holder: holder.name,
        traceId: 'trace',
        requestId: 'request',
        reuserId: TEST_REUSER,
        agent: 'agent',
        purposeId: 'identity-check',
        reason: undefined,
        policyVersion: 'v',
        coordinates: [],
        subjects: [],
        outcome: { status: 'served' },
      });
      again.close();
      await ask(SERVED_QUERY, holder);
      expect(verifyHolderAccessLog({ dataDir: holder.logDataDir, holder: holder.name })).toEqual({
        ok: true,
        records: 3,
      });
    } finally {
      await holder.stop();
    }
  });

  it('purges records past the retention and still verifies from the cut; refuses to purge an altered log', async () => {
    const holder = await startTestHolder('civil-status');
    try {
      for (let index = 0; index < 4; index += 1) await ask(SERVED_QUERY, holder);
      const options = { dataDir: holder.logDataDir, holder: holder.name };
      const path = holderAccessLogPath(holder.logDataDir, holder.name);
      // Age the first two records by a year.
      const db = new Database(path);
      db.prepare(
        "UPDATE holder_access_records SET timestamp = '2020-01-01T00:00:00.000Z' WHERE sequence <= 2",
      ).run();
      db.close();
      // Their hashes no longer match their content: an altered log is never purged away.
      expect(() => purgeHolderAccessLog({ ...options, before: new Date('2021-01-01') })).toThrow(
        /does not verify/,
      );
    } finally {
      await holder.stop();
    }
    const fresh = await startTestHolder('civil-status');
    try {
      const options = { dataDir: fresh.logDataDir, holder: fresh.name };
      for (let index = 0; index < 3; index += 1) await ask(SERVED_QUERY, fresh);
      const cutoff = new Date(Date.now() + 60_000);
      await ask(SERVED_QUERY, fresh);
      // Nothing is older than the epoch; everything is older than a minute from now.
      expect(purgeHolderAccessLog({ ...options, before: new Date(0) })).toEqual({ purged: 0 });
      expect(purgeHolderAccessLog({ ...options, before: cutoff })).toEqual({ purged: 4 });
      for (let index = 0; index < 3; index += 1) await ask(SERVED_QUERY, fresh);
      expect(verifyHolderAccessLog(options)).toEqual({ ok: true, records: 3 });
      // The chain goes on from the cut: deleting a record after it still shows.
      const db = new Database(holderAccessLogPath(fresh.logDataDir, fresh.name));
      db.prepare('DELETE FROM holder_access_records WHERE sequence = 6').run();
      db.close();
      expect(verifyHolderAccessLog(options)).toMatchObject({ ok: false, sequence: 7 });
    } finally {
      await fresh.stop();
    }
  });
});
