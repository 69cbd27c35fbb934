/** Writes the family-benefits store. Internal to the sandbox. */
import {
  FAMILY_BENEFITS_STORE_INDEXES,
  FAMILY_BENEFITS_STORE_SCHEMA,
} from '../../family-benefits/index.js';
import { communeByCode } from '../communes.js';
import type { BenefitFileRecord } from '../records/familyBenefits.js';
import { type SqliteStatement, StoreFile } from '../store.js';

export class FamilyBenefitsWriter {
  readonly store: StoreFile;
  private readonly insertFile: SqliteStatement;
  private readonly insertMember: SqliteStatement;
  private readonly insertQuotient: SqliteStatement;
  private readonly insertMinimumIncome: SqliteStatement;
  private readonly insertRectification: SqliteStatement;

  constructor(path: string, cacheMiB: number) {
    this.store = new StoreFile(
      path,
      FAMILY_BENEFITS_STORE_SCHEMA,
      FAMILY_BENEFITS_STORE_INDEXES,
      cacheMiB,
    );
    const db = this.store.db;
    this.insertFile = db.prepare('INSERT INTO staging.benefit_files VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertMember = db.prepare('INSERT INTO staging.file_members VALUES (?, ?, ?)');
    this.insertQuotient = db.prepare('INSERT INTO staging.family_quotients VALUES (?, ?, ?, ?)');
    this.insertMinimumIncome = db.prepare(
      'INSERT INTO staging.minimum_income_periods VALUES (?, ?, ?, ?)',
    );
    // rectification_id is left to SQLite: assigned in insertion order (see StoreFile), so deterministic.
    this.insertRectification = db.prepare(
      `INSERT INTO staging.rectifications (file_number, field, reference_period, previous_value, new_value, rectified_on)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  write(file: BenefitFileRecord): void {
    const commune = communeByCode(file.communeCode);
    const number = file.fileNumber;
    this.insertFile.run(
      number,
      file.openedOn,
      file.addressLine,
      commune.postalCode,
      commune.code,
      commune.name,
      file.disabilityAllowance ? 1 : 0,
    );
    for (const member of file.members) this.insertMember.run(member.personId, number, member.role);
    for (const quotient of file.quotients) {
      this.insertQuotient.run(number, quotient.month, quotient.value, quotient.computedOn);
    }
    for (const period of file.minimumIncomePeriods) {
      this.insertMinimumIncome.run(number, period.since, period.until, period.computedOn);
    }
    for (const rectification of file.rectifications) {
      this.insertRectification.run(
        number,
        rectification.field,
        rectification.referencePeriod,
        rectification.previousValue,
        rectification.newValue,
        rectification.rectifiedOn,
      );
    }
  }
}
