import { afterAll, describe, expect, it } from 'vitest';
import { DATA_HOLDERS } from '../../../subgraphs/kit/index.js';
import { generateSandboxData, NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import { makeTempDataDir, removeDataDir, withStores } from './harness.js';

/** The month `count` months after `month` ('YYYY-MM'). */
function shiftMonth(month: string, count: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

// Calendar edges: first day of a year and of a month, a leap day, the last day
// of an academic year and the first of the next one.
const AS_OF_DATES = ['2027-01-01', '2028-02-29', '2026-08-31', '2026-09-01', '2030-06-15'];

describe('scenarios hold on any as-of date', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dataDir of dataDirs) removeDataDir(dataDir);
  });

  it.each(AS_OF_DATES)('as of %s', async (asOf) => {
    const dataDir = makeTempDataDir();
    dataDirs.push(dataDir);
    await generateSandboxData({ dataDir, seed: 99, persons: 300, asOf });
    const currentMonth = asOf.slice(0, 7);
    const lastMonth = shiftMonth(currentMonth, -1);
    const academicYearStart =
      Number(asOf.slice(5, 7)) >= 9 ? Number(asOf.slice(0, 4)) : Number(asOf.slice(0, 4)) - 1;

    withStores(dataDir, (stores) => {
      for (const holder of DATA_HOLDERS)
        expect(stores[holder].pragma('foreign_key_check'), holder).toEqual([]);
      const get = (holder: keyof typeof stores, sql: string, ...params: unknown[]) =>
        stores[holder]
          .prepare(sql)
          .pluck()
          .all(...params);

      const singleParentFile = NAMED_PEOPLE.singleParent.benefitsFileNumber;
      expect(
        get(
          'family-benefits',
          'SELECT value FROM family_quotients WHERE file_number = ? AND month = ?',
          singleParentFile,
          currentMonth,
        ),
      ).toEqual([380]);
      const [rectifiedOn] = get(
        'family-benefits',
        'SELECT rectified_on FROM rectifications WHERE file_number = ? AND reference_period = ?',
        singleParentFile,
        lastMonth,
      ) as string[];
      expect(
        rectifiedOn !== undefined && rectifiedOn >= `${currentMonth}-01` && rectifiedOn <= asOf,
      ).toBe(true);

      expect(
        get(
          'family-benefits',
          'SELECT since FROM minimum_income_periods WHERE file_number = ? AND until IS NULL',
          NAMED_PEOPLE.minimumIncomeBeneficiary.benefitsFileNumber,
        ),
      ).toEqual([`${shiftMonth(currentMonth, -24)}-01`]);

      expect(
        get(
          'employment',
          'SELECT month FROM benefit_payments WHERE person_id = ? ORDER BY month',
          NAMED_PEOPLE.jobseeker.personId,
        ),
      ).toEqual(Array.from({ length: 8 }, (_, i) => shiftMonth(currentMonth, i - 8)));

      const academicYear = `${academicYearStart}-${academicYearStart + 1}`;
      expect(
        get(
          'education',
          `SELECT s.level FROM scholarships s JOIN enrolments e USING (person_id, academic_year)
           WHERE person_id = ? AND academic_year = ? AND e.status = 'ENROLLED'`,
          NAMED_PEOPLE.scholarshipStudent.personId,
          academicYear,
        ),
      ).toEqual([4]);

      const year = Number(asOf.slice(0, 4));
      expect(get('tax', 'SELECT DISTINCT income_year FROM tax_assessments ORDER BY 1')).toEqual([
        year - 3,
        year - 2,
        year - 1,
      ]);

      const latest = [
        ...get('family-benefits', 'SELECT max(computed_on) FROM family_quotients'),
        ...get('family-benefits', 'SELECT max(computed_on) FROM minimum_income_periods'),
        ...get('tax', 'SELECT max(assessed_on) FROM tax_assessments'),
        ...get('employment', 'SELECT max(paid_on) FROM benefit_payments'),
        ...get('education', 'SELECT max(decided_on) FROM scholarships'),
        ...get('civil-status', 'SELECT max(updated_on) FROM persons'),
      ] as string[];
      for (const date of latest) expect(date <= asOf, date).toBe(true);
    });
  });

  it('generates the named people alone when asked for no generated people', async () => {
    const dataDir = makeTempDataDir();
    dataDirs.push(dataDir);
    const manifest = await generateSandboxData({
      dataDir,
      seed: 1,
      persons: 0,
      asOf: '2026-11-15',
    });
    expect(manifest.persons).toBe(0);
    withStores(dataDir, (stores) => {
      expect(stores['civil-status'].prepare('SELECT count(*) FROM persons').pluck().get()).toBe(
        Object.keys(NAMED_PEOPLE).length,
      );
    });
  });
});
