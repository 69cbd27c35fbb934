/** Tables of the tax data holder (conventions: see civil-status/storeSchema.ts). */
export const TAX_STORE_SCHEMA = /* SQL */ `
-- One row per taxpayer; declarants filing together share a household_id.
CREATE TABLE taxpayers (
  person_id TEXT PRIMARY KEY,
  tax_number TEXT NOT NULL UNIQUE,  -- 13 digits, e.g. '3012345678901'
  household_id TEXT NOT NULL
) WITHOUT ROWID;

-- One assessment per household and income year (the year the income was earned).
CREATE TABLE tax_assessments (
  household_id TEXT NOT NULL,
  income_year INTEGER NOT NULL,
  reference_tax_income INTEGER NOT NULL,   -- euros
  number_of_shares REAL NOT NULL,          -- e.g. 2.5
  family_situation TEXT NOT NULL CHECK (family_situation IN ('MARRIED', 'CIVIL_PARTNERSHIP', 'SINGLE', 'DIVORCED', 'WIDOWED')),
  dependant_count INTEGER NOT NULL,
  assessed_on TEXT NOT NULL,
  PRIMARY KEY (household_id, income_year)
) WITHOUT ROWID;

-- Dependants (children) declared by a household for an income year.
CREATE TABLE tax_dependants (
  household_id TEXT NOT NULL,
  income_year INTEGER NOT NULL,
  person_id TEXT NOT NULL,
  PRIMARY KEY (household_id, income_year, person_id)
) WITHOUT ROWID;
`;

export const TAX_STORE_INDEXES = /* SQL */ `
CREATE INDEX taxpayers_by_household ON taxpayers (household_id);
`;
