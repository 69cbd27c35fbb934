import { createBatchLoader, type HolderStore } from '../kit/index.js';

export type TaxAssessment = {
  incomeYear: number;
  referenceTaxIncome: number;
  numberOfShares: number;
  familySituation: string;
  dependantCount: number;
  dependantIds: string[];
  assessedOn: string;
};

export type TaxHousehold = { taxNumber: string; assessments: TaxAssessment[] };

type HouseholdRow = { person_id: string; tax_number: string; assessments: string };

type AssessmentJson = Omit<TaxAssessment, 'dependantIds'> & { dependantIds: string | string[] };

// One statement per batch; assessments and their dependants come back as JSON.
const HOUSEHOLDS_BY_TAXPAYER = /* SQL */ `
  SELECT t.person_id, t.tax_number,
    (SELECT json_group_array(json_object(
        'incomeYear', a.income_year, 'referenceTaxIncome', a.reference_tax_income,
        'numberOfShares', a.number_of_shares, 'familySituation', a.family_situation,
        'dependantCount', a.dependant_count, 'assessedOn', a.assessed_on,
        'dependantIds', (SELECT json_group_array(d.person_id) FROM tax_dependants d
                          WHERE d.household_id = a.household_id AND d.income_year = a.income_year)))
       FROM (SELECT * FROM tax_assessments WHERE household_id = t.household_id ORDER BY income_year DESC) a
    ) AS assessments
  FROM taxpayers t
  WHERE t.person_id IN (SELECT value FROM json_each(?))`;

const TAXPAYER_BY_TAX_NUMBER = 'SELECT person_id FROM taxpayers WHERE tax_number = ?';

function toHousehold(row: HouseholdRow): TaxHousehold {
  const assessments = JSON.parse(row.assessments) as AssessmentJson[];
  return {
    taxNumber: row.tax_number,
    assessments: assessments.map((assessment) => ({
      ...assessment,
      // A JSON array built in a scalar subquery loses its JSON subtype and is embedded as text.
      dependantIds:
        typeof assessment.dependantIds === 'string'
          ? (JSON.parse(assessment.dependantIds) as string[])
          : assessment.dependantIds,
    })),
  };
}

export function createTaxLoaders(store: HolderStore) {
  return {
    householdByTaxpayer: createBatchLoader<HouseholdRow, TaxHousehold | null>(store, {
      sql: HOUSEHOLDS_BY_TAXPAYER,
      keyOf: (row) => row.person_id,
      toValue: (rows) => (rows[0] === undefined ? null : toHousehold(rows[0])),
    }),
    taxpayerByTaxNumber(taxNumber: string): string | null {
      return store.get<{ person_id: string }>(TAXPAYER_BY_TAX_NUMBER, taxNumber)?.person_id ?? null;
    },
  };
}

export type TaxLoaders = ReturnType<typeof createTaxLoaders>;
