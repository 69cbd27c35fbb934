/** Shared helpers of the sandbox generator tests: temporary data folders and read-only stores. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type DataHolderName, holderStorePath } from '../../../subgraphs/kit/index.js';

/** A fixed "today" so that "this month" and "this academic year" are stable on any date. */
export const AS_OF = '2026-11-15';

/** Small enough to generate in well under a second, large enough for every kind of household. */
export const PERSONS = 500;

export function makeTempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'passerelle-sandbox-test-'));
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

export function openStore(dataDir: string, holder: DataHolderName): Database.Database {
  return new Database(holderStorePath(dataDir, holder), { readonly: true, fileMustExist: true });
}

/** Opens every holder's store, runs `use`, and closes them. */
export function withStores<T>(
  dataDir: string,
  use: (stores: Record<DataHolderName, Database.Database>) => T,
): T {
  const stores = {
    'civil-status': openStore(dataDir, 'civil-status'),
    'family-benefits': openStore(dataDir, 'family-benefits'),
    tax: openStore(dataDir, 'tax'),
    employment: openStore(dataDir, 'employment'),
    education: openStore(dataDir, 'education'),
  };
  try {
    return use(stores);
  } finally {
    for (const store of Object.values(stores)) store.close();
  }
}
