import type { SubgraphFetcherKind } from '../gateway/config/index.js';
import type { DataHolderName } from '../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../subgraphs/sandbox/index.js';

/**
 * The benchmark's scenarios, in the order they run and print. Each feature
 * adds one scenario (and, if it needs its own settings, one gateway variant)
 * and names as `baseline` the scenario it builds on, so the table shows what
 * that feature costs.
 */

/**
 * A gateway process configuration. Scenarios naming the same variant share
 * its process; `env` is added to the gateway's benchmark environment.
 */
export interface GatewayVariant {
  readonly id: string;
  readonly env: Readonly<Record<string, string>>;
}

function fetcherVariant(fetcher: SubgraphFetcherKind): GatewayVariant {
  return { id: fetcher, env: { PASSERELLE_SUBGRAPH_FETCHER: fetcher } };
}

export const GATEWAY_VARIANTS = {
  /** The production configuration: node-fetch 2 with a keep-alive agent. */
  nodeFetch: fetcherVariant('node-fetch'),
  /** @apollo/gateway's own client (make-fetch-happen). */
  defaultFetcher: fetcherVariant('default'),
  /** Node's global fetch (undici). */
  undici: fetcherVariant('undici'),
} as const satisfies Record<string, GatewayVariant>;

/** What serves a scenario's requests, and whose CPU time is charged to them. */
export type Target =
  | { readonly kind: 'holder'; readonly holder: DataHolderName }
  | { readonly kind: 'gateway'; readonly gateway: GatewayVariant };

export interface Scenario {
  /** Stable identifier, used by `--only` and in the results file. */
  readonly id: string;
  readonly description: string;
  readonly target: Target;
  /** The scenario this one adds something to; the table prints the ratio between them. */
  readonly baseline?: string;
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>>;
}

const student = NAMED_PEOPLE.scholarshipStudent;

/** One person's scholarship, all from the education data holder: one subgraph fetch. */
const SCHOLARSHIP_QUERY = /* GraphQL */ `
  query Scholarship($n: String!) {
    studentByNumber(studentNumber: $n) {
      student { isScholarshipHolder currentScholarship { level } }
    }
  }
`;

/** The same, plus civil-status fields: a second fetch, to the civil-status data holder. */
const FEDERATED_QUERY = /* GraphQL */ `
  query ScholarshipAndCivilStatus($n: String!) {
    studentByNumber(studentNumber: $n) {
      student { isScholarshipHolder currentScholarship { level } }
      familyName
      birthDate
    }
  }
`;

const STUDENT_VARIABLES = { n: student.studentNumber };

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'direct',
    description: 'education subgraph, called directly',
    target: { kind: 'holder', holder: 'education' },
    query: SCHOLARSHIP_QUERY,
    variables: STUDENT_VARIABLES,
  },
  {
    id: 'gateway-same-query',
    description: 'gateway, same query (1 fetch)',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.nodeFetch },
    baseline: 'direct',
    query: SCHOLARSHIP_QUERY,
    variables: STUDENT_VARIABLES,
  },
  {
    id: 'gateway-federated',
    description: 'gateway, federated (2 fetches)',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.nodeFetch },
    baseline: 'gateway-same-query',
    query: FEDERATED_QUERY,
    variables: STUDENT_VARIABLES,
  },
  {
    id: 'federated-default-fetcher',
    description: 'gateway, federated, default client',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.defaultFetcher },
    baseline: 'gateway-federated',
    query: FEDERATED_QUERY,
    variables: STUDENT_VARIABLES,
  },
  {
    id: 'federated-undici',
    description: 'gateway, federated, undici client',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.undici },
    baseline: 'gateway-federated',
    query: FEDERATED_QUERY,
    variables: STUDENT_VARIABLES,
  },
];
