import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DataHolderName, holderStorePath } from '../../../subgraphs/kit/index.js';
import '../../support/context.js';
import { startTestHolder, type TestHolder } from '../subgraphs/harness.js';

// For each holder: where its persons are listed, and a selection touching every list it serves.
// The fixture purpose `entity-batching` grants every field selected here, so
// the purpose shield and minimisation run on every field, as in production.
const cases: { holder: DataHolderName; personIds: string; selection: string }[] = [
  {
    holder: 'civil-status',
    personIds: 'SELECT person_id FROM persons',
    selection:
      'familyName givenNames birthDate birthPlace { name } address { line commune { name } }',
  },
  {
    holder: 'family-benefits',
    personIds: 'SELECT person_id FROM file_members',
    selection:
      'familyBenefits { fileNumber familyQuotients { month value } minimumIncome { beneficiary } members { role } }',
  },
  {
    holder: 'tax',
    personIds: 'SELECT person_id FROM taxpayers',
    selection:
      'taxHousehold { taxNumber assessments { incomeYear referenceTaxIncome dependants { __typename } } }',
  },
  {
    holder: 'employment',
    personIds: 'SELECT person_id FROM jobseekers',
    selection:
      'jobseeker { jobseekerId registrations { category } benefitPayments { month amount } }',
  },
  {
    holder: 'education',
    personIds: 'SELECT person_id FROM students',
    selection:
      'student { studentNumber enrolments { academicYear institution { name } } scholarships { level } }',
  },
];

const BATCH_SIZE = 50;

describe.each(cases)('entity resolution in $holder', ({ holder, personIds, selection }) => {
  const dataDir = inject('sandboxDataDir');
  let running: TestHolder;
  let ids: string[];

  beforeAll(async () => {
    const path = holderStorePath(dataDir, holder);
    const db = new Database(path, { readonly: true });
    ids = db.prepare(`${personIds} ORDER BY person_id LIMIT ?`).pluck().all(BATCH_SIZE) as string[];
    db.close();
    running = await startTestHolder(holder);
  });

  afterAll(async () => {
    await running.stop();
  });

  it(`answers ${BATCH_SIZE} persons in one _entities call with one store query`, async () => {
    expect(ids).toHaveLength(BATCH_SIZE);
    const before = running.store.queryCount;
    const response = await running.query<{ _entities: Record<string, unknown>[] }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { ${selection} } } }`,
      {
        purpose: 'entity-batching',
        variables: { representations: ids.map((id) => ({ __typename: 'Person', id })) },
      },
    );
    expect(response.body.errors).toBeUndefined();
    const entities = response.body.data?._entities ?? [];
    expect(entities).toHaveLength(BATCH_SIZE);
    for (const entity of entities) {
      // Every person was chosen from this holder's store, so each resolves to real data.
      for (const value of Object.values(entity)) expect(value).not.toBeNull();
    }
    expect(running.store.queryCount - before).toBe(1);
  });

  it('still costs one store query for a single person', async () => {
    const before = running.store.queryCount;
    const response = await running.query(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { ${selection} } } }`,
      {
        purpose: 'entity-batching',
        variables: { representations: [{ __typename: 'Person', id: ids[0] }] },
      },
    );
    expect(response.body.errors).toBeUndefined();
    expect(running.store.queryCount - before).toBe(1);
  });
});
