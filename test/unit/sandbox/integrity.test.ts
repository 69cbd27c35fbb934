import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_HOLDERS } from '../../../subgraphs/kit/index.js';
import { generateSandboxData, NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import { AS_OF, makeTempDataDir, removeDataDir, withStores } from './harness.js';

// Larger than the other suites' population, so that rare cases (jobseekers, rectifications,
// withdrawn students) occur.
const PERSONS = 3_000;

const column = (store: Database.Database, sql: string): unknown[] =>
  store.prepare(sql).pluck().all();

describe('sandbox dataset integrity', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = makeTempDataDir();
    await generateSandboxData({ dataDir, seed: 1234, persons: PERSONS, asOf: AS_OF });
  });
  afterAll(() => removeDataDir(dataDir));

  it('passes SQLite integrity and foreign key checks', () => {
    withStores(dataDir, (stores) => {
      for (const holder of DATA_HOLDERS) {
        expect(stores[holder].pragma('integrity_check', { simple: true }), holder).toBe('ok');
        expect(stores[holder].pragma('foreign_key_check'), holder).toEqual([]);
      }
    });
  });

  it('holds the requested number of generated people plus the named people, with opaque unique ids', () => {
    withStores(dataDir, (stores) => {
      const ids = column(stores['civil-status'], 'SELECT person_id FROM persons') as string[];
      expect(ids).toHaveLength(PERSONS + Object.keys(NAMED_PEOPLE).length);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^p_[0-9a-f]{16}$/);
    });
  });

  it('refers only to persons known to civil status', () => {
    withStores(dataDir, (stores) => {
      const known = new Set(column(stores['civil-status'], 'SELECT person_id FROM persons'));
      const references: [Database.Database, string][] = [
        [stores['family-benefits'], 'SELECT person_id FROM file_members'],
        [stores.tax, 'SELECT person_id FROM taxpayers'],
        [stores.tax, 'SELECT person_id FROM tax_dependants'],
        [stores.employment, 'SELECT person_id FROM jobseekers'],
        [stores.education, 'SELECT person_id FROM students'],
      ];
      for (const [store, sql] of references) {
        const unknown = column(store, sql).filter((id) => !known.has(id));
        expect(unknown, sql).toEqual([]);
      }
    });
  });

  it('uses only reference communes', () => {
    withStores(dataDir, (stores) => {
      const communes = new Set(column(stores['civil-status'], 'SELECT code FROM communes'));
      expect(communes.size).toBeGreaterThanOrEqual(60);
      const used = [
        ...column(stores['family-benefits'], 'SELECT commune_code FROM benefit_files'),
        ...column(stores.education, 'SELECT commune_code FROM institutions'),
      ];
      expect(used.filter((code) => !communes.has(code))).toEqual([]);
    });
  });

  it('gives every sector identifier its documented format, once', () => {
    withStores(dataDir, (stores) => {
      const identifiers: [Database.Database, string, RegExp][] = [
        [stores['family-benefits'], 'SELECT file_number FROM benefit_files', /^\d{7}$/],
        [stores.tax, 'SELECT tax_number FROM taxpayers', /^\d{13}$/],
        [stores.tax, 'SELECT DISTINCT household_id FROM taxpayers', /^h_[0-9a-f]{16}$/],
        [stores.employment, 'SELECT jobseeker_id FROM jobseekers', /^\d{7}[A-Z]$/],
        [stores.education, 'SELECT student_number FROM students', /^\d{10}[A-Z]$/],
        [stores.education, 'SELECT uai FROM institutions', /^\d{7}[A-Z]$/],
      ];
      for (const [store, sql, format] of identifiers) {
        const values = column(store, sql) as string[];
        expect(values.length, sql).toBeGreaterThan(0);
        expect(new Set(values).size, sql).toBe(values.length);
        expect(
          values.filter((value) => !format.test(value)),
          sql,
        ).toEqual([]);
      }
    });
  });

  it('never dates a computation, payment or decision after the as-of date', () => {
    withStores(dataDir, (stores) => {
      const dated: [Database.Database, string][] = [
        [
          stores['civil-status'],
          'SELECT max(birth_date), max(address_since), max(updated_on) FROM persons',
        ],
        [stores['family-benefits'], 'SELECT max(opened_on) FROM benefit_files'],
        [
          stores['family-benefits'],
          "SELECT max(computed_on), max(month || '-01') FROM family_quotients",
        ],
        [
          stores['family-benefits'],
          'SELECT max(computed_on), max(since) FROM minimum_income_periods',
        ],
        [stores['family-benefits'], 'SELECT max(rectified_on) FROM rectifications'],
        [stores.tax, 'SELECT max(assessed_on) FROM tax_assessments'],
        [stores.employment, 'SELECT max(start_date), max(end_date) FROM registrations'],
        [stores.employment, 'SELECT max(paid_on) FROM benefit_payments'],
        [stores.education, 'SELECT max(decided_on) FROM scholarships'],
      ];
      for (const [store, sql] of dated) {
        const values = (store.prepare(sql).raw().get() as (string | null)[]).filter(
          (value) => value !== null,
        );
        for (const value of values) expect(value <= AS_OF, `${sql}: ${value}`).toBe(true);
      }
    });
  });

  it('keeps 24 months of family quotients, computed in or after their month', () => {
    withStores(dataDir, (stores) => {
      const store = stores['family-benefits'];
      expect(column(store, 'SELECT min(month) FROM family_quotients')).toEqual(['2024-12']);
      expect(column(store, 'SELECT max(month) FROM family_quotients')).toEqual(['2026-11']);
      expect(
        column(store, "SELECT count(*) FROM family_quotients WHERE computed_on < month || '-01'"),
      ).toEqual([0]);
      expect(column(store, 'SELECT count(*) FROM rectifications')[0]).toBeGreaterThan(1);
      // A rectified month was recomputed after it ended, on the day of the rectification.
      expect(
        column(
          store,
          `SELECT count(*) FROM rectifications r JOIN family_quotients q
           ON q.file_number = r.file_number AND q.month = r.reference_period
           WHERE q.computed_on <> r.rectified_on OR r.rectified_on <= q.month || '-31' OR q.value <> CAST(r.new_value AS INTEGER)`,
        ),
      ).toEqual([0]);
    });
  });

  it('assesses three income years per tax household; couples share a household', () => {
    withStores(dataDir, (stores) => {
      expect(
        column(stores.tax, 'SELECT DISTINCT income_year FROM tax_assessments ORDER BY 1'),
      ).toEqual([2023, 2024, 2025]);
      expect(
        column(
          stores.tax,
          'SELECT count(*) FROM (SELECT household_id FROM tax_assessments GROUP BY 1 HAVING count(*) <> 3)',
        ),
      ).toEqual([0]);
      const sizes = column(
        stores.tax,
        'SELECT count(*) FROM taxpayers GROUP BY household_id',
      ) as number[];
      expect(new Set(sizes)).toEqual(new Set([1, 2]));
      expect(
        column(
          stores.tax,
          `SELECT count(*) FROM tax_assessments a WHERE dependant_count <>
           (SELECT count(*) FROM tax_dependants d WHERE d.household_id = a.household_id AND d.income_year = a.income_year)`,
        ),
      ).toEqual([0]);
    });
  });

  it('enrols pupils and students aged 11 to 25 per academic year, and grants scholarships only to enrolled ones', () => {
    withStores(dataDir, (stores) => {
      const birthDates = new Map(
        (
          stores['civil-status']
            .prepare('SELECT person_id, birth_date FROM persons')
            .raw()
            .all() as [string, string][]
        ).map(([id, birthDate]) => [id, birthDate]),
      );
      const enrolments = stores.education
        .prepare('SELECT person_id, academic_year, start_date, end_date FROM enrolments')
        .raw()
        .all() as [string, string, string, string][];
      expect(new Set(enrolments.map(([, year]) => year))).toEqual(
        new Set(['2024-2025', '2025-2026', '2026-2027']),
      );
      for (const [personId, year, start] of enrolments) {
        const age = Number(year.slice(0, 4)) - Number(birthDates.get(personId)?.slice(0, 4));
        expect(age >= 11 && age <= 25, `${personId} ${year}`).toBe(true);
        expect(start).toBe(`${year.slice(0, 4)}-09-01`);
      }
      expect(
        column(
          stores.education,
          'SELECT count(*) FROM scholarships s LEFT JOIN enrolments e USING (person_id, academic_year) WHERE e.person_id IS NULL',
        ),
      ).toEqual([0]);
      expect(
        column(
          stores.education,
          'SELECT count(*) FROM scholarships WHERE level NOT BETWEEN 0 AND 7',
        ),
      ).toEqual([0]);
    });
  });

  it('has jobseekers in every category, with payments only while registered', () => {
    withStores(dataDir, (stores) => {
      expect(
        column(stores.employment, 'SELECT DISTINCT category FROM registrations ORDER BY 1'),
      ).toEqual([1, 2, 3, 4, 5]);
      expect(
        column(
          stores.employment,
          `SELECT count(*) FROM benefit_payments p WHERE NOT EXISTS (
             SELECT 1 FROM registrations r WHERE r.person_id = p.person_id
             AND substr(r.start_date, 1, 7) <= p.month AND (r.end_date IS NULL OR substr(r.end_date, 1, 7) >= p.month))`,
        ),
      ).toEqual([0]);
    });
  });
});
