/** Tables of the family-benefits data holder (conventions: see civil-status/storeSchema.ts). */
export const FAMILY_BENEFITS_STORE_SCHEMA = /* SQL */ `
CREATE TABLE benefit_files (
  file_number TEXT PRIMARY KEY,     -- 7 digits, e.g. '1234567'
  opened_on TEXT NOT NULL,
  address_line TEXT NOT NULL,
  postal_code TEXT NOT NULL,
  commune_code TEXT NOT NULL,
  commune_name TEXT NOT NULL,
  -- 1 when a household member receives a disability allowance (health data), else 0
  disability_allowance INTEGER NOT NULL CHECK (disability_allowance IN (0, 1))
) WITHOUT ROWID;

-- A person belongs to at most one benefits file.
CREATE TABLE file_members (
  person_id TEXT PRIMARY KEY,
  file_number TEXT NOT NULL REFERENCES benefit_files (file_number),
  role TEXT NOT NULL CHECK (role IN ('BENEFICIARY', 'PARTNER', 'CHILD', 'OTHER'))
) WITHOUT ROWID;

-- Family quotient of the household, per month, in euros. Recomputation
-- overwrites the value and the computed_on date; the previous value goes to
-- rectifications.
CREATE TABLE family_quotients (
  file_number TEXT NOT NULL REFERENCES benefit_files (file_number),
  month TEXT NOT NULL,
  value INTEGER NOT NULL,
  computed_on TEXT NOT NULL,
  PRIMARY KEY (file_number, month)
) WITHOUT ROWID;

-- Minimum income (revenu de solidarité) entitlement periods of the household.
CREATE TABLE minimum_income_periods (
  file_number TEXT NOT NULL REFERENCES benefit_files (file_number),
  since TEXT NOT NULL,
  until TEXT,                       -- NULL while current
  computed_on TEXT NOT NULL,
  PRIMARY KEY (file_number, since)
) WITHOUT ROWID;

-- What the holder changed after first disclosure, so re-users can be notified.
CREATE TABLE rectifications (
  rectification_id INTEGER PRIMARY KEY,
  file_number TEXT NOT NULL REFERENCES benefit_files (file_number),
  field TEXT NOT NULL,              -- schema coordinate, e.g. 'FamilyQuotient.value'
  reference_period TEXT NOT NULL,   -- e.g. '2026-10'
  previous_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  rectified_on TEXT NOT NULL
);
`;

export const FAMILY_BENEFITS_STORE_INDEXES = /* SQL */ `
CREATE INDEX file_members_by_file ON file_members (file_number);
CREATE INDEX rectifications_by_file ON rectifications (file_number);
`;
