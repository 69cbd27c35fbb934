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
  /** A plain @apollo/gateway (bench/plainGateway.ts) rather than passerelle's. */
  readonly plainApollo?: true;
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
  /** @apollo/gateway alone, same holders and client: the reference passerelle builds on. */
  plainApollo: { id: 'plain-apollo', env: {}, plainApollo: true },
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
  /**
   * For a gateway: how the bench re-user authenticates. `cached-assertion`:
   * one signed assertion sent with every request of a run (the gateway
   * verifies it once, then finds it in its cache); `fresh-assertion`: a new
   * assertion (new `jti`) for every request, each fully verified and
   * recorded for replay protection.
   */
  readonly credentials?: 'cached-assertion' | 'fresh-assertion';
  /**
   * For a data holder called directly: what the gateway would bind the
   * request to. The bench signs this context with the gateway's key, as the
   * gateway does for every subgraph call; without it the holder answers 401.
   */
  readonly gatewayContext?: BenchGatewayContext;
}

/** The purpose claims of a context the bench signs, for one data holder. */
export interface BenchGatewayContext {
  readonly purpose: string;
  readonly reuser: string;
  readonly agent: string;
}

/**
 * The benchmark's own policies, which every process of the run loads: one
 * re-user and one purpose granting exactly what the scenarios select, so
 * that the queries stay those of earlier runs and their figures compare
 * (no shipped purpose grants a student's scholarship with their civil
 * status, on purpose). Relative path -> content, written under .bench/.
 */
const BENCH_PURPOSE = 'bench-scholarship-and-civil-status';
const BENCH_REUSER = 'bench-reuser';

export const BENCH_POLICY_FILES: Readonly<Record<string, string>> = {
  [`purposes/${BENCH_PURPOSE}.yaml`]: `# yaml-language-server: $schema=../schema/purpose.schema.json
id: ${BENCH_PURPOSE}
title: Benchmark purpose
legalBasis: None, fictitious data only
holders: [education, civil-status]
stage: sandbox
validFrom: 2000-01-01
validUntil: 2099-12-31
mode: reject
grants:
  Query.studentByNumber: {}
  Person.student: {}
  Student.isScholarshipHolder: {}
  Student.currentScholarship: {}
  Scholarship.level: {}
  Person.familyName: {}
  Person.birthDate: {}
limits: { subjectsPerRequest: 1, requestsPerMinute: 1000000, subjectsPerDay: 1000000 }
traceability: { requiredClaims: [agent] }
retention: P1D
`,
  [`reusers/${BENCH_REUSER}.yaml`]: `# yaml-language-server: $schema=../schema/reuser.schema.json
id: ${BENCH_REUSER}
organisationNumber: '21000000000011'
name: Benchmark re-user
contacts: [{ role: technical, email: bench@example.org }]
purposes: [{ purpose: ${BENCH_PURPOSE}, validFrom: 2000-01-01, validUntil: 2099-12-31 }]
`,
};

/**
 * Who asks and for which purpose: the claims of the bench re-user's
 * assertions; the gateway signs the same for the data holders in the
 * context of every subgraph call.
 */
export const BENCH_CLAIMS = {
  reuserId: BENCH_REUSER,
  purpose: BENCH_PURPOSE,
  agent: 'bench',
} as const;
/** The audience of the bench's assertions: every bench gateway's `PASSERELLE_PUBLIC_URL`. */
export const BENCH_AUDIENCE = 'https://passerelle.bench/graphql';
export const BENCH_CONTEXT_CLAIMS: BenchGatewayContext = {
  purpose: BENCH_PURPOSE,
  reuser: BENCH_REUSER,
  agent: 'bench',
};

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
    description: 'education subgraph, called directly with a signed context',
    target: { kind: 'holder', holder: 'education' },
    query: SCHOLARSHIP_QUERY,
    variables: STUDENT_VARIABLES,
    gatewayContext: BENCH_CONTEXT_CLAIMS,
  },
  {
    id: 'plain-apollo-gateway',
    description: 'plain @apollo/gateway, same query (1 fetch)',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.plainApollo },
    baseline: 'direct',
    query: SCHOLARSHIP_QUERY,
    variables: STUDENT_VARIABLES,
  },
  {
    id: 'gateway-same-query',
    description: 'passerelle, same query (1 fetch)',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.nodeFetch },
    baseline: 'plain-apollo-gateway',
    query: SCHOLARSHIP_QUERY,
    variables: STUDENT_VARIABLES,
    credentials: 'cached-assertion',
  },
  {
    id: 'gateway-fresh-assertion',
    description: 'gateway, same query, a new signed assertion per request',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.nodeFetch },
    baseline: 'gateway-same-query',
    query: SCHOLARSHIP_QUERY,
    variables: STUDENT_VARIABLES,
    credentials: 'fresh-assertion',
  },
  {
    id: 'gateway-federated',
    description: 'gateway, federated (2 fetches), purpose pre-flight',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.nodeFetch },
    baseline: 'gateway-same-query',
    query: FEDERATED_QUERY,
    variables: STUDENT_VARIABLES,
    credentials: 'cached-assertion',
  },
  {
    id: 'federated-default-fetcher',
    description: 'gateway, federated, default client',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.defaultFetcher },
    baseline: 'gateway-federated',
    query: FEDERATED_QUERY,
    variables: STUDENT_VARIABLES,
    credentials: 'cached-assertion',
  },
  {
    id: 'federated-undici',
    description: 'gateway, federated, undici client',
    target: { kind: 'gateway', gateway: GATEWAY_VARIANTS.undici },
    baseline: 'gateway-federated',
    query: FEDERATED_QUERY,
    variables: STUDENT_VARIABLES,
    credentials: 'cached-assertion',
  },
];
