/**
 * Tables of the civil-status data holder. The sandbox generator fills them;
 * the subgraph only reads them.
 *
 * Conventions shared by every data holder store:
 * - dates are ISO strings `YYYY-MM-DD`, months `YYYY-MM`;
 * - amounts are integers (euros, or cents where the column says so);
 * - `person_id` is the opaque, stable join key of the federated `Person`.
 */
export const CIVIL_STATUS_STORE_SCHEMA = /* SQL */ `
CREATE TABLE communes (
  code TEXT PRIMARY KEY,            -- INSEE commune code, e.g. '75056'
  name TEXT NOT NULL,               -- e.g. 'Paris'
  postal_code TEXT NOT NULL,        -- main postal code, e.g. '75001'
  department_code TEXT NOT NULL     -- e.g. '75'
) WITHOUT ROWID;

CREATE TABLE persons (
  person_id TEXT PRIMARY KEY,
  family_name TEXT NOT NULL,        -- as registered, e.g. 'Martin'
  given_names TEXT NOT NULL,        -- in order, space separated, e.g. 'Léa Marie'
  family_name_key TEXT NOT NULL,    -- normalised for matching: upper case, no accents, single spaces
  given_names_key TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
  birth_date TEXT NOT NULL,
  birth_place_code TEXT NOT NULL REFERENCES communes (code),
  address_line TEXT NOT NULL,       -- e.g. '12 rue des Lilas'
  address_commune_code TEXT NOT NULL REFERENCES communes (code),
  address_since TEXT NOT NULL,
  updated_on TEXT NOT NULL          -- last change of this record
) WITHOUT ROWID;
`;

/** Created after the bulk load: building them once is much faster than maintaining them per row. */
export const CIVIL_STATUS_STORE_INDEXES = /* SQL */ `
CREATE INDEX persons_by_pivot_identity ON persons (family_name_key, birth_date);
`;
