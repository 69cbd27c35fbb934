/** Writes the civil-status store. Internal to the sandbox. */
import { CIVIL_STATUS_STORE_INDEXES, CIVIL_STATUS_STORE_SCHEMA } from '../../civil-status/index.js';
import type { Commune } from '../communes.js';
import type { PersonRecord } from '../records/civilStatus.js';
import { type SqliteStatement, StoreFile } from '../store.js';

export class CivilStatusWriter {
  readonly store: StoreFile;
  private readonly insertCommune: SqliteStatement;
  private readonly insertPerson: SqliteStatement;

  constructor(path: string, cacheMiB: number) {
    this.store = new StoreFile(
      path,
      CIVIL_STATUS_STORE_SCHEMA,
      CIVIL_STATUS_STORE_INDEXES,
      cacheMiB,
    );
    this.insertCommune = this.store.db.prepare('INSERT INTO staging.communes VALUES (?, ?, ?, ?)');
    this.insertPerson = this.store.db.prepare(
      'INSERT INTO staging.persons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  writeCommunes(communes: readonly Commune[]): void {
    for (const commune of communes) {
      this.insertCommune.run(
        commune.code,
        commune.name,
        commune.postalCode,
        commune.departmentCode,
      );
    }
  }

  write(persons: readonly PersonRecord[]): void {
    for (const person of persons) {
      this.insertPerson.run(
        person.personId,
        person.familyName,
        person.givenNames,
        person.familyNameKey,
        person.givenNamesKey,
        person.sex,
        person.birthDate,
        person.birthPlaceCode,
        person.addressLine,
        person.addressCommuneCode,
        person.addressSince,
        person.updatedOn,
      );
    }
  }
}
