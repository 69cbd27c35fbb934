/** Writes the education store. Internal to the sandbox. */
import { EDUCATION_STORE_INDEXES, EDUCATION_STORE_SCHEMA } from '../../education/index.js';
import type { Institution } from '../institutions.js';
import type { StudentRecord } from '../records/education.js';
import { type SqliteStatement, StoreFile } from '../store.js';

export class EducationWriter {
  readonly store: StoreFile;
  private readonly insertInstitution: SqliteStatement;
  private readonly insertStudent: SqliteStatement;
  private readonly insertEnrolment: SqliteStatement;
  private readonly insertScholarship: SqliteStatement;

  constructor(path: string, cacheMiB: number) {
    this.store = new StoreFile(path, EDUCATION_STORE_SCHEMA, EDUCATION_STORE_INDEXES, cacheMiB);
    const db = this.store.db;
    this.insertInstitution = db.prepare('INSERT INTO staging.institutions VALUES (?, ?, ?, ?)');
    this.insertStudent = db.prepare('INSERT INTO staging.students VALUES (?, ?, ?)');
    this.insertEnrolment = db.prepare('INSERT INTO staging.enrolments VALUES (?, ?, ?, ?, ?, ?)');
    this.insertScholarship = db.prepare(
      'INSERT INTO staging.scholarships VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  writeInstitutions(institutions: readonly Institution[]): void {
    for (const institution of institutions) {
      this.insertInstitution.run(
        institution.uai,
        institution.name,
        institution.communeCode,
        institution.communeName,
      );
    }
  }

  write(student: StudentRecord): void {
    const id = student.personId;
    this.insertStudent.run(id, student.studentNumber, student.email);
    for (const enrolment of student.enrolments) {
      this.insertEnrolment.run(
        id,
        enrolment.academicYear,
        enrolment.institutionUai,
        enrolment.startDate,
        enrolment.endDate,
        enrolment.status,
      );
    }
    for (const scholarship of student.scholarships) {
      this.insertScholarship.run(
        id,
        scholarship.academicYear,
        scholarship.level,
        scholarship.paymentStart,
        scholarship.paymentEnd,
        scholarship.decidedOn,
      );
    }
  }
}
