import { NAMED_PEOPLE } from '../../subgraphs/sandbox/index.js';

/**
 * The query the launcher prints once the sandbox is up: the secondary-school
 * grant of a département (SCENARIOS.md, purpose 2) for the single parent of
 * the scenarios, found by benefits file number: her household's family
 * quotient this month (family-benefits) and her children's schooling
 * (education). It selects exactly what that purpose grants; one more field
 * and the gateway refuses the request, naming the field.
 */
export const SAMPLE_QUERY = /* GraphQL */ `
  query SecondarySchoolGrant($fileNumber: String!, $month: String!) {
    beneficiaryByFileNumber(fileNumber: $fileNumber) {
      familyBenefits {
        familyQuotient(month: $month) { month value }
        children {
          student {
            currentEnrolment { enrolled }
            isScholarshipHolder
            currentScholarship { level }
          }
        }
      }
    }
  }
`;

/** Who asks and for which purpose: the claims of the sample's client assertion. */
export const SAMPLE_CLAIMS = {
  reuserId: 'departement-de-la-haute-vallee',
  purposeId: 'secondary-school-grant',
  agent: 'sandbox-tryout',
} as const;

export type SampleRequest = {
  query: string;
  variables: Record<string, string>;
  headers: Readonly<Record<string, string>>;
};

/** The sample request for a sandbox whose "today" is `asOf` (YYYY-MM-DD), with these headers. */
export function sampleRequest(
  asOf: string,
  headers: Readonly<Record<string, string>> = {},
): SampleRequest {
  return {
    query: SAMPLE_QUERY.replace(/\s+/g, ' ').trim(),
    variables: {
      fileNumber: NAMED_PEOPLE.singleParent.benefitsFileNumber,
      month: asOf.slice(0, 7),
    },
    headers,
  };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A copy-paste `curl` command sending `request` to the gateway at `url`. */
export function curlCommand(url: string, request: SampleRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => ` -H ${shellQuote(`${name}: ${value}`)}`)
    .join('');
  const body = JSON.stringify({ query: request.query, variables: request.variables });
  return `curl -s ${shellQuote(url)} -H 'content-type: application/json'${headers} --data ${shellQuote(body)}`;
}
