import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DailySubjectStoreOptions,
  openDailySubjectStore,
} from '../../../gateway/subjects/index.js';
import {
  dropSchema,
  reportPostgresSkipped,
  TEST_POSTGRES_URL,
  uniqueSchemaName,
} from '../../support/postgres.js';

// The daily set of subjects per (re-user, purpose, day), on both stores.

const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-subjects-'));
const schema = uniqueSchemaName('subjects');
reportPostgresSkipped('daily subjects');

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (TEST_POSTGRES_URL !== undefined) await dropSchema(TEST_POSTGRES_URL, schema);
});

const stores: [string, DailySubjectStoreOptions | undefined][] = [
  ['SQLite', { kind: 'sqlite', dataDir }],
  [
    'PostgreSQL',
    TEST_POSTGRES_URL === undefined
      ? undefined
      : { kind: 'postgres', url: TEST_POSTGRES_URL, schema },
  ],
];

describe.each(stores)('daily subjects in %s', (_name, options) => {
  it.skipIf(options === undefined)(
    'counts distinct subjects, once each, and refuses new ones beyond the quota',
    async () => {
      const store = await openDailySubjectStore(options as DailySubjectStoreOptions);
      const key = { reuser: 'r', purpose: 'p', day: '2026-11-15' };
      try {
        expect(await store.admit(key, ['a', 'b', 'a'], 3)).toEqual({
          admitted: true,
          counted: 0,
          added: 2,
        });
        expect(await store.admit(key, ['a', 'b'], 3)).toEqual({
          admitted: true,
          counted: 2,
          added: 0,
        });
        expect(await store.admit(key, ['c', 'd'], 3)).toEqual({
          admitted: false,
          counted: 2,
          added: 2,
        });
        // Refused subjects were not recorded: one more still fits.
        expect(await store.admit(key, ['d'], 3)).toMatchObject({ admitted: true, added: 1 });
        // Another day, purpose or re-user starts from zero.
        expect(await store.admit({ ...key, day: '2026-11-16' }, ['c'], 1)).toMatchObject({
          admitted: true,
          counted: 0,
        });
        // Racing requests never exceed the quota together.
        const other = { ...key, purpose: 'race' };
        const decisions = await Promise.all(
          ['x', 'y', 'z', 'w'].map((ref) => store.admit(other, [ref], 2)),
        );
        expect(decisions.filter((decision) => decision.admitted)).toHaveLength(2);
      } finally {
        await store.close();
      }
    },
  );
});
