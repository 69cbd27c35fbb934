import { createBatchLoader, type HolderStore } from '../kit/index.js';

export type HouseholdRole = 'BENEFICIARY' | 'PARTNER' | 'CHILD' | 'OTHER';
export type FamilyQuotient = { month: string; value: number; computedOn: string };
export type MinimumIncomePeriod = { since: string; until: string | null; computedOn: string };

export type FamilyBenefitsFile = {
  fileNumber: string;
  role: HouseholdRole;
  openedOn: string;
  disabilityAllowance: boolean;
  /** Most recent month first. */
  familyQuotients: FamilyQuotient[];
  minimumIncomePeriods: MinimumIncomePeriod[];
  members: { role: HouseholdRole; personId: string }[];
  address: { line: string; postalCode: string; communeCode: string; communeName: string };
};

type FileRow = {
  person_id: string;
  role: HouseholdRole;
  file_number: string;
  opened_on: string;
  address_line: string;
  postal_code: string;
  commune_code: string;
  commune_name: string;
  disability_allowance: 0 | 1;
  quotients: string;
  minimum_income: string;
  members: string;
};

// One statement per batch: the file and its lists come back as JSON arrays,
// so the whole entity costs one round trip to the store.
const FILES_BY_MEMBER = /* SQL */ `
  SELECT m.person_id, m.role, f.file_number, f.opened_on,
    f.address_line, f.postal_code, f.commune_code, f.commune_name, f.disability_allowance,
    (SELECT json_group_array(json_object('month', q.month, 'value', q.value, 'computedOn', q.computed_on))
       FROM (SELECT * FROM family_quotients WHERE file_number = f.file_number ORDER BY month DESC) q) AS quotients,
    (SELECT json_group_array(json_object('since', i.since, 'until', i.until, 'computedOn', i.computed_on))
       FROM (SELECT * FROM minimum_income_periods WHERE file_number = f.file_number ORDER BY since DESC) i) AS minimum_income,
    (SELECT json_group_array(json_object('personId', o.person_id, 'role', o.role))
       FROM (SELECT * FROM file_members WHERE file_number = f.file_number ORDER BY role, person_id) o) AS members
  FROM file_members m JOIN benefit_files f ON f.file_number = m.file_number
  WHERE m.person_id IN (SELECT value FROM json_each(?))`;

const BENEFICIARY_BY_FILE_NUMBER = /* SQL */ `
  SELECT person_id FROM file_members WHERE file_number = ? AND role = 'BENEFICIARY'`;

function toFile(row: FileRow): FamilyBenefitsFile {
  return {
    fileNumber: row.file_number,
    role: row.role,
    openedOn: row.opened_on,
    disabilityAllowance: row.disability_allowance === 1,
    familyQuotients: JSON.parse(row.quotients) as FamilyQuotient[],
    minimumIncomePeriods: JSON.parse(row.minimum_income) as MinimumIncomePeriod[],
    members: JSON.parse(row.members) as FamilyBenefitsFile['members'],
    address: {
      line: row.address_line,
      postalCode: row.postal_code,
      communeCode: row.commune_code,
      communeName: row.commune_name,
    },
  };
}

export function createFamilyBenefitsLoaders(store: HolderStore) {
  return {
    fileByMember: createBatchLoader<FileRow, FamilyBenefitsFile | null>(store, {
      sql: FILES_BY_MEMBER,
      keyOf: (row) => row.person_id,
      toValue: (rows) => (rows[0] === undefined ? null : toFile(rows[0])),
    }),
    beneficiaryByFileNumber(fileNumber: string): string | null {
      return (
        store.get<{ person_id: string }>(BENEFICIARY_BY_FILE_NUMBER, fileNumber)?.person_id ?? null
      );
    },
  };
}

export type FamilyBenefitsLoaders = ReturnType<typeof createFamilyBenefitsLoaders>;
