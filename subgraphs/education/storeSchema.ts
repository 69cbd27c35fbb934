/** Tables of the education data holder (conventions: see civil-status/storeSchema.ts). */
export const EDUCATION_STORE_SCHEMA = /* SQL */ `
CREATE TABLE institutions (
  uai TEXT PRIMARY KEY,              -- 7 digits and a letter, e.g. '0751234A'
  name TEXT NOT NULL,
  commune_code TEXT NOT NULL,
  commune_name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE students (
  person_id TEXT PRIMARY KEY,
  student_number TEXT NOT NULL UNIQUE,  -- national student number, 10 digits and a letter
  email TEXT NOT NULL
) WITHOUT ROWID;

-- Academic years are written 'YYYY-YYYY', e.g. '2026-2027' (September to August).
CREATE TABLE enrolments (
  person_id TEXT NOT NULL REFERENCES students (person_id),
  academic_year TEXT NOT NULL,
  institution_uai TEXT NOT NULL REFERENCES institutions (uai),
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ENROLLED', 'WITHDRAWN')),
  PRIMARY KEY (person_id, academic_year)
) WITHOUT ROWID;

-- Needs-based scholarship, level 0 (lowest) to 7 (highest).
CREATE TABLE scholarships (
  person_id TEXT NOT NULL REFERENCES students (person_id),
  academic_year TEXT NOT NULL,
  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 7),
  payment_start TEXT NOT NULL,
  payment_end TEXT NOT NULL,
  decided_on TEXT NOT NULL,
  PRIMARY KEY (person_id, academic_year)
) WITHOUT ROWID;
`;

export const EDUCATION_STORE_INDEXES = '';
