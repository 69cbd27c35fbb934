import Database from 'better-sqlite3';
import { print } from 'graphql';
import { describe, expect, inject, it } from 'vitest';
import { DATA_HOLDER_DEFINITIONS } from '../../../subgraphs/index.js';
import { holderStorePath } from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import '../../support/context.js';

// The one sensitive field of the sandbox: whether a household member receives
// a disability allowance (health data, GDPR art. 9).

describe('the disability allowance of a benefits file', () => {
  it('is tagged sensitive health data in the family-benefits schema', () => {
    expect(print(DATA_HOLDER_DEFINITIONS['family-benefits'].typeDefs)).toContain(
      'disabilityAllowance: Boolean! @sensitive(category: "health")',
    );
  });

  it('is recorded for every file: for a few percent of the generated ones, and one named file', () => {
    const db = new Database(holderStorePath(inject('sandboxDataDir'), 'family-benefits'), {
      readonly: true,
    });
    try {
      const { files, withAllowance } = db
        .prepare(
          'SELECT count(*) AS files, sum(disability_allowance) AS withAllowance FROM benefit_files',
        )
        .get() as { files: number; withAllowance: number };
      expect(withAllowance / files).toBeGreaterThan(0.01);
      expect(withAllowance / files).toBeLessThan(0.1);
      const allowanceOf = db
        .prepare('SELECT disability_allowance FROM benefit_files WHERE file_number = ?')
        .pluck();
      expect(allowanceOf.get(NAMED_PEOPLE.minimumIncomeBeneficiary.benefitsFileNumber)).toBe(1);
      expect(allowanceOf.get(NAMED_PEOPLE.singleParent.benefitsFileNumber)).toBe(0);
      expect(allowanceOf.get(NAMED_PEOPLE.canteenOpponent.benefitsFileNumber)).toBe(0);
    } finally {
      db.close();
    }
  });
});
