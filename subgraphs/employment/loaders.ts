import { createBatchLoader, type HolderStore } from '../kit/index.js';

export type JobseekerRegistration = { category: number; startDate: string; endDate: string | null };
export type BenefitPayment = { month: string; amount: number; paidOn: string };
export type Jobseeker = {
  jobseekerId: string;
  /** Most recent first. */
  registrations: JobseekerRegistration[];
  /** Most recent month first. */
  benefitPayments: BenefitPayment[];
};

type JobseekerRow = {
  person_id: string;
  jobseeker_id: string;
  registrations: string;
  payments: string;
};

// One statement per batch; registrations and payments come back as JSON arrays.
const JOBSEEKERS_BY_PERSON = /* SQL */ `
  SELECT j.person_id, j.jobseeker_id,
    (SELECT json_group_array(json_object('category', r.category, 'startDate', r.start_date, 'endDate', r.end_date))
       FROM (SELECT * FROM registrations WHERE person_id = j.person_id ORDER BY start_date DESC) r) AS registrations,
    (SELECT json_group_array(json_object('month', p.month, 'amount', p.amount_cents / 100.0, 'paidOn', p.paid_on))
       FROM (SELECT * FROM benefit_payments WHERE person_id = j.person_id ORDER BY month DESC) p) AS payments
  FROM jobseekers j
  WHERE j.person_id IN (SELECT value FROM json_each(?))`;

const PERSON_BY_JOBSEEKER_ID = 'SELECT person_id FROM jobseekers WHERE jobseeker_id = ?';

export function createEmploymentLoaders(store: HolderStore) {
  return {
    jobseekerByPerson: createBatchLoader<JobseekerRow, Jobseeker | null>(store, {
      sql: JOBSEEKERS_BY_PERSON,
      keyOf: (row) => row.person_id,
      toValue: ([row]) =>
        row === undefined
          ? null
          : {
              jobseekerId: row.jobseeker_id,
              registrations: JSON.parse(row.registrations) as JobseekerRegistration[],
              benefitPayments: JSON.parse(row.payments) as BenefitPayment[],
            },
    }),
    personByJobseekerId(jobseekerId: string): string | null {
      return (
        store.get<{ person_id: string }>(PERSON_BY_JOBSEEKER_ID, jobseekerId)?.person_id ?? null
      );
    },
  };
}

export type EmploymentLoaders = ReturnType<typeof createEmploymentLoaders>;
