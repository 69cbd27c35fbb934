/** Writes the tax store. Internal to the sandbox. */
import { TAX_STORE_INDEXES, TAX_STORE_SCHEMA } from '../../tax/index.js';
import type { TaxHouseholdRecord } from '../records/tax.js';
import { type SqliteStatement, StoreFile } from '../store.js';

export class TaxWriter {
  readonly store: StoreFile;
  private readonly insertTaxpayer: SqliteStatement;
  private readonly insertAssessment: SqliteStatement;
  private readonly insertDependant: SqliteStatement;

  constructor(path: string, cacheMiB: number) {
    this.store = new StoreFile(path, TAX_STORE_SCHEMA, TAX_STORE_INDEXES, cacheMiB);
    const db = this.store.db;
    this.insertTaxpayer = db.prepare('INSERT INTO staging.taxpayers VALUES (?, ?, ?)');
    this.insertAssessment = db.prepare(
      'INSERT INTO staging.tax_assessments VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertDependant = db.prepare('INSERT INTO staging.tax_dependants VALUES (?, ?, ?)');
  }

  write(household: TaxHouseholdRecord): void {
    const id = household.householdId;
    for (const taxpayer of household.taxpayers)
      this.insertTaxpayer.run(taxpayer.personId, taxpayer.taxNumber, id);
    for (const assessment of household.assessments) {
      this.insertAssessment.run(
        id,
        assessment.incomeYear,
        assessment.referenceTaxIncome,
        assessment.numberOfShares,
        assessment.familySituation,
        assessment.dependants.length,
        assessment.assessedOn,
      );
      for (const personId of assessment.dependants)
        this.insertDependant.run(id, assessment.incomeYear, personId);
    }
  }
}
