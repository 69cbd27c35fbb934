import { createBatchLoader, type HolderStore } from '../kit/index.js';

type PersonRow = {
  person_id: string;
  family_name: string;
  given_names: string;
  sex: 'F' | 'M';
  birth_date: string;
  birth_place_code: string;
  birth_place_name: string;
  birth_place_department: string;
  address_line: string;
  address_postal_code: string;
  address_commune_code: string;
  address_commune_name: string;
  address_department: string;
  address_since: string;
  updated_on: string;
};

export type CivilStatusPerson = {
  id: string;
  familyName: string;
  givenNames: string[];
  sex: 'F' | 'M';
  birthDate: string;
  birthPlace: { code: string; name: string; departmentCode: string };
  address: {
    line: string;
    postalCode: string;
    commune: { code: string; name: string; departmentCode: string };
    since: string;
  };
  civilStatusUpdatedOn: string;
};

const PERSON_COLUMNS = /* SQL */ `
  p.person_id, p.family_name, p.given_names, p.sex, p.birth_date,
  p.birth_place_code, b.name AS birth_place_name, b.department_code AS birth_place_department,
  p.address_line, a.postal_code AS address_postal_code, p.address_commune_code,
  a.name AS address_commune_name, a.department_code AS address_department,
  p.address_since, p.updated_on
  FROM persons p
  JOIN communes b ON b.code = p.birth_place_code
  JOIN communes a ON a.code = p.address_commune_code`;

const PERSONS_BY_ID = `SELECT ${PERSON_COLUMNS} WHERE p.person_id IN (SELECT value FROM json_each(?))`;

// The index covers (family_name_key, birth_date); given names and birth place filter the few rows left.
const PERSONS_BY_PIVOT_IDENTITY = `SELECT ${PERSON_COLUMNS}
  WHERE p.family_name_key = ? AND p.birth_date = ?
    AND (p.given_names_key = ? OR p.given_names_key LIKE ? || ' %')
    AND (? IS NULL OR p.birth_place_code = ?)
    AND (? IS NULL OR p.sex = ?)
  ORDER BY p.person_id`;

function toPerson(row: PersonRow): CivilStatusPerson {
  return {
    id: row.person_id,
    familyName: row.family_name,
    givenNames: row.given_names.split(' '),
    sex: row.sex,
    birthDate: row.birth_date,
    birthPlace: {
      code: row.birth_place_code,
      name: row.birth_place_name,
      departmentCode: row.birth_place_department,
    },
    address: {
      line: row.address_line,
      postalCode: row.address_postal_code,
      commune: {
        code: row.address_commune_code,
        name: row.address_commune_name,
        departmentCode: row.address_department,
      },
      since: row.address_since,
    },
    civilStatusUpdatedOn: row.updated_on,
  };
}

export type PivotIdentity = {
  familyNameKey: string;
  givenNamesKey: string;
  birthDate: string;
  birthPlaceCode: string | null;
  sex: 'F' | 'M' | null;
};

export function createCivilStatusLoaders(store: HolderStore) {
  return {
    personById: createBatchLoader<PersonRow, CivilStatusPerson | null>(store, {
      sql: PERSONS_BY_ID,
      keyOf: (row) => row.person_id,
      toValue: (rows) => (rows[0] === undefined ? null : toPerson(rows[0])),
    }),
    personsByPivotIdentity(identity: PivotIdentity): CivilStatusPerson[] {
      const { familyNameKey, givenNamesKey, birthDate, birthPlaceCode, sex } = identity;
      return store
        .all<PersonRow>(
          PERSONS_BY_PIVOT_IDENTITY,
          familyNameKey,
          birthDate,
          givenNamesKey,
          givenNamesKey,
          birthPlaceCode,
          birthPlaceCode,
          sex,
          sex,
        )
        .map(toPerson);
    },
  };
}

export type CivilStatusLoaders = ReturnType<typeof createCivilStatusLoaders>;
