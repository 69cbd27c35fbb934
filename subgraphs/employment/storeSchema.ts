/** Tables of the employment data holder (conventions: see civil-status/storeSchema.ts). */
export const EMPLOYMENT_STORE_SCHEMA = /* SQL */ `
CREATE TABLE jobseekers (
  person_id TEXT PRIMARY KEY,
  jobseeker_id TEXT NOT NULL UNIQUE   -- 7 digits and a letter, e.g. '1234567A'
) WITHOUT ROWID;

CREATE TABLE registrations (
  person_id TEXT NOT NULL REFERENCES jobseekers (person_id),
  start_date TEXT NOT NULL,
  end_date TEXT,                      -- NULL while registered
  category INTEGER NOT NULL CHECK (category BETWEEN 1 AND 5),
  PRIMARY KEY (person_id, start_date)
) WITHOUT ROWID;

CREATE TABLE benefit_payments (
  person_id TEXT NOT NULL REFERENCES jobseekers (person_id),
  month TEXT NOT NULL,                -- month the payment covers
  amount_cents INTEGER NOT NULL,
  paid_on TEXT NOT NULL,
  PRIMARY KEY (person_id, month)
) WITHOUT ROWID;
`;

export const EMPLOYMENT_STORE_INDEXES = '';
