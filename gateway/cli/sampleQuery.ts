import { NAMED_PEOPLE } from '../../subgraphs/sandbox/index.js';

/**
 * The query the launcher prints once the sandbox is up: the single parent of
 * the scenarios, found by benefits file number, with fields from four data
 * holders (family-benefits, civil-status, education, tax).
 */
export const SAMPLE_QUERY = /* GraphQL */ `
  query SingleParentFile($fileNumber: String!, $month: String!) {
    beneficiaryByFileNumber(fileNumber: $fileNumber) {
      familyName
      givenNames
      familyBenefits {
        familyQuotient(month: $month) { month value computedOn }
        children {
          givenNames
          student { currentScholarship { level } }
        }
      }
      taxHousehold { assessments { incomeYear referenceTaxIncome numberOfShares } }
    }
  }
`;

export type SampleRequest = { query: string; variables: Record<string, string> };

/** The sample request for a sandbox whose "today" is `asOf` (YYYY-MM-DD). */
export function sampleRequest(asOf: string): SampleRequest {
  return {
    query: SAMPLE_QUERY.replace(/\s+/g, ' ').trim(),
    variables: {
      fileNumber: NAMED_PEOPLE.singleParent.benefitsFileNumber,
      month: asOf.slice(0, 7),
    },
  };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A copy-paste `curl` command sending `request` to the gateway at `url`. */
export function curlCommand(url: string, request: SampleRequest): string {
  return `curl -s ${shellQuote(url)} -H 'content-type: application/json' --data ${shellQuote(JSON.stringify(request))}`;
}
