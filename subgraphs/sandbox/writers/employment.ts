/** Writes the employment store. Internal to the sandbox. */
import { EMPLOYMENT_STORE_INDEXES, EMPLOYMENT_STORE_SCHEMA } from '../../employment/index.js';
import type { JobseekerRecord } from '../records/employment.js';
import { type SqliteStatement, StoreFile } from '../store.js';

export class EmploymentWriter {
  readonly store: StoreFile;
  private readonly insertJobseeker: SqliteStatement;
  private readonly insertRegistration: SqliteStatement;
  private readonly insertPayment: SqliteStatement;

  constructor(path: string, cacheMiB: number) {
    this.store = new StoreFile(path, EMPLOYMENT_STORE_SCHEMA, EMPLOYMENT_STORE_INDEXES, cacheMiB);
    const db = this.store.db;
    this.insertJobseeker = db.prepare('INSERT INTO staging.jobseekers VALUES (?, ?)');
    this.insertRegistration = db.prepare('INSERT INTO staging.registrations VALUES (?, ?, ?, ?)');
    this.insertPayment = db.prepare('INSERT INTO staging.benefit_payments VALUES (?, ?, ?, ?)');
  }

  write(jobseeker: JobseekerRecord): void {
    const id = jobseeker.personId;
    this.insertJobseeker.run(id, jobseeker.jobseekerId);
    for (const registration of jobseeker.registrations) {
      this.insertRegistration.run(
        id,
        registration.startDate,
        registration.endDate,
        registration.category,
      );
    }
    for (const payment of jobseeker.payments) {
      this.insertPayment.run(id, payment.month, payment.amountCents, payment.paidOn);
    }
  }
}
