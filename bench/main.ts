import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeRepositorySupergraph } from '../gateway/cli/sandboxSupergraph.js';
import { generateReuserKeyPair, signClientAssertion } from '../gateway/clientAssertion/index.js';
import { parseLauncherConfig } from '../gateway/config/index.js';
import {
  CONTEXT_TOKEN_HEADER,
  createContextSigner,
  ensureGatewayContextKey,
} from '../gateway/contextToken/index.js';
import { keyStoreFor, openKeyRegistry } from '../gateway/keyRegistry/index.js';
import { DATA_HOLDERS } from '../subgraphs/kit/index.js';
import { ensureSandboxData } from '../subgraphs/sandbox/index.js';
import { type LoadSettings, type RunResult, runLoad } from './measure.js';
import { type BenchChild, benchEnv, ChildGroup } from './processes.js';
import {
  BENCH_AUDIENCE,
  BENCH_CLAIMS,
  BENCH_CONTEXT_CLAIMS,
  BENCH_POLICY_FILES,
  type GatewayVariant,
  SCENARIOS,
  type Scenario,
} from './scenarios.js';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
/** Git-ignored: the dataset and the results files. */
const BENCH_DIR = join(REPOSITORY, '.bench');
const DATA_DIR = join(BENCH_DIR, 'data');
/** Rewritten at every run from BENCH_POLICY_FILES; every process loads it. */
const POLICIES_DIR = join(BENCH_DIR, 'policies');

/** Fixed dataset inputs, so that every run queries the same records. */
const SEED = 42;
const AS_OF = '2026-11-15';

const HOLDER_START_TIMEOUT_MS = 60_000;
/** Gateways start together and each composes the supergraph: slow on two cores under tsx. */
const GATEWAY_START_TIMEOUT_MS = 120_000;
/** Not counted: lets the JIT and the connection pools settle before the first round. */
const WARM_UP_SECONDS = 3;

const USAGE = `Usage: npm run bench -- [options]

Starts the five data holders and one gateway per subgraph HTTP client on
loopback, loads each scenario in interleaved rounds with autocannon, and
prints the median of each measure and its ratio to the scenario it builds on.
Raw results go to .bench/results-<timestamp>.json.

Options:
  --duration <s>       seconds of load per scenario and round    [5]
  --rounds <n>         rounds; each runs every scenario once     [2]
  --connections <n>    concurrent connections                    [10]
  --persons <n>        generated sandbox people                  [10000]
  --only <ids>         comma-separated scenario ids              [all]
  -h, --help           show this help

Scenarios:
${SCENARIOS.map((scenario) => `  ${scenario.id.padEnd(27)}${scenario.description}`).join('\n')}`;

interface BenchOptions {
  readonly load: LoadSettings;
  readonly rounds: number;
  readonly persons: number;
  readonly scenarios: readonly Scenario[];
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function wholeNumber(flag: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new UsageError(`--${flag} must be a whole number of at least ${min}, not "${text}"`);
  }
  return Number(text);
}

function readFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        duration: { type: 'string', default: '5' },
        rounds: { type: 'string', default: '2' },
        connections: { type: 'string', default: '10' },
        persons: { type: 'string', default: '10000' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The options, or undefined when help was asked for. Throws `UsageError`. */
function parseOptions(args: string[]): BenchOptions | undefined {
  const values = readFlags(args);
  if (values.help === true) return undefined;

  let scenarios = SCENARIOS;
  if (values.only !== undefined) {
    const ids = values.only.split(',').map((id) => id.trim());
    const unknown = ids.filter((id) => !SCENARIOS.some((scenario) => scenario.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown scenario: ${unknown.join(', ')}`);
    scenarios = SCENARIOS.filter((scenario) => ids.includes(scenario.id));
  }
  return {
    load: {
      durationSeconds: wholeNumber('duration', values.duration, 1),
      connections: wholeNumber('connections', values.connections, 1),
    },
    rounds: wholeNumber('rounds', values.rounds, 1),
    persons: wholeNumber('persons', values.persons, 0),
    scenarios,
  };
}

function progress(message: string): void {
  console.error(`bench: ${message}`);
}

/** The processes under test, by what scenarios target. */
interface System {
  readonly holders: ReadonlyMap<string, BenchChild>;
  readonly gateways: ReadonlyMap<string, BenchChild>;
  readonly all: readonly BenchChild[];
}

/**
 * The headers of each scenario: its signed gateway context (direct calls),
 * or a fresh client assertion of the bench re-user (gateway scenarios).
 */
type ScenarioHeaders = {
  /** For the plain @apollo/gateway: the context token of each data holder, for the run. */
  plainApolloTokens: Readonly<Record<string, string>>;
  headersFor(scenario: Scenario): Promise<Readonly<Record<string, string>>>;
  /** For `fresh-assertion` scenarios: one Authorization header per request to come. */
  authorizationsFor(scenario: Scenario, count: number): Promise<readonly string[] | undefined>;
};

/** Fresh `fresh-assertion` tokens signed per second of load: above any gateway's throughput here. */
const FRESH_ASSERTIONS_PER_SECOND = 3_000;

/**
 * The bench re-user's key pair, its public key registered in the registry
 * the gateways use (SQLite under .bench), and a signer of its assertions.
 */
async function benchAssertions(): Promise<() => Promise<string>> {
  const keyPair = await generateReuserKeyPair('EdDSA');
  const registry = await openKeyRegistry(keyStoreFor({ dataDir: DATA_DIR }));
  try {
    await registry.addKey(BENCH_CLAIMS.reuserId, keyPair.publicJwk);
  } finally {
    await registry.close();
  }
  return () =>
    signClientAssertion(keyPair.privateJwk, { ...BENCH_CLAIMS, audience: BENCH_AUDIENCE });
}

/**
 * Signs the context of the scenarios that call a data holder directly, with
 * the gateway's key, for their data holder. One token per scenario, valid
 * for the whole run: the gateway's own tokens live 60 s, so the bench asks
 * for a lifetime covering every round (an option only load tests use).
 */
async function scenarioHeaders(
  scenarios: readonly Scenario[],
  options: BenchOptions,
): Promise<ScenarioHeaders> {
  const contextKey = await ensureGatewayContextKey(
    parseLauncherConfig({ PASSERELLE_DATA_DIR: DATA_DIR }).contextKey,
  );
  const runSeconds =
    scenarios.length * (WARM_UP_SECONDS + options.rounds * options.load.durationSeconds);
  const signer = await createContextSigner(contextKey.privateJwk, {
    lifetimeSeconds: runSeconds + 600,
  });
  const contextHeaders = new Map<string, Readonly<Record<string, string>>>();
  for (const scenario of scenarios) {
    const { gatewayContext, target } = scenario;
    if (gatewayContext === undefined || target.kind !== 'holder') continue;
    const { token } = await signer.sign(target.holder, {
      scope: 'purpose',
      ...gatewayContext,
      requestId: randomUUID(),
      traceId: randomUUID().replaceAll('-', ''),
      policyVersion: 'bench',
    });
    contextHeaders.set(scenario.id, { [CONTEXT_TOKEN_HEADER]: token });
  }
  const plainApolloTokens: Record<string, string> = {};
  for (const holder of DATA_HOLDERS) {
    const { token } = await signer.sign(holder, {
      scope: 'purpose',
      ...BENCH_CONTEXT_CLAIMS,
      requestId: randomUUID(),
      traceId: randomUUID().replaceAll('-', ''),
      policyVersion: 'bench',
    });
    plainApolloTokens[holder] = token;
  }
  const assertion = await benchAssertions();
  return {
    plainApolloTokens,
    // Signed at each run: an assertion lives five minutes, a bench run longer.
    async headersFor(scenario) {
      if (scenario.credentials === undefined) return contextHeaders.get(scenario.id) ?? {};
      return { authorization: `Bearer ${await assertion()}` };
    },
    async authorizationsFor(scenario, count) {
      if (scenario.credentials !== 'fresh-assertion') return undefined;
      const tokens: string[] = [];
      for (let index = 0; index < count; index += 1) tokens.push(`Bearer ${await assertion()}`);
      return tokens;
    },
  };
}

/** Starts the data holders, then one gateway per variant the scenarios use. */
async function startSystem(
  group: ChildGroup,
  scenarios: readonly Scenario[],
  headers: ScenarioHeaders,
): Promise<System> {
  rmSync(POLICIES_DIR, { recursive: true, force: true });
  for (const [path, content] of Object.entries(BENCH_POLICY_FILES)) {
    mkdirSync(dirname(join(POLICIES_DIR, path)), { recursive: true });
    writeFileSync(join(POLICIES_DIR, path), content);
  }
  const holders = await Promise.all(
    DATA_HOLDERS.map((holder) =>
      group.start(
        holder,
        join(REPOSITORY, 'subgraphs', holder, 'main.ts'),
        benchEnv({
          PASSERELLE_DATA_DIR: DATA_DIR,
          PASSERELLE_SUBGRAPH_PORT: '0',
          PASSERELLE_AS_OF: AS_OF,
          PASSERELLE_POLICIES_DIR: POLICIES_DIR,
        }),
        HOLDER_START_TIMEOUT_MS,
      ),
    ),
  );
  const subgraphList = holders.map((holder) => `${holder.label}=${holder.url}`).join(',');

  const variants = new Map<string, GatewayVariant>();
  for (const { target } of scenarios) {
    if (target.kind === 'gateway') variants.set(target.gateway.id, target.gateway);
  }
  const plainSupergraph = join(BENCH_DIR, 'plain-apollo-supergraph.graphql');
  writeFileSync(plainSupergraph, composeRepositorySupergraph());
  const gateways = await Promise.all(
    [...variants.values()].map((variant) =>
      variant.plainApollo === true
        ? group.start(
            `gateway:${variant.id}`,
            join(REPOSITORY, 'bench', 'plainGateway.ts'),
            benchEnv({
              BENCH_PLAIN_SUBGRAPHS: subgraphList,
              BENCH_PLAIN_TOKENS: JSON.stringify(headers.plainApolloTokens),
              BENCH_PLAIN_SUPERGRAPH: plainSupergraph,
            }),
            GATEWAY_START_TIMEOUT_MS,
          )
        : group.start(
            `gateway:${variant.id}`,
            join(REPOSITORY, 'gateway', 'main.ts'),
            benchEnv({
              PASSERELLE_SUBGRAPHS: subgraphList,
              PASSERELLE_PORT: '0',
              // Whatever a feature writes to the data folder stays under .bench.
              PASSERELLE_DATA_DIR: DATA_DIR,
              PASSERELLE_LOG_LEVEL: 'warn',
              PASSERELLE_POLICIES_DIR: POLICIES_DIR,
              PASSERELLE_AS_OF: AS_OF,
              PASSERELLE_PUBLIC_URL: BENCH_AUDIENCE,
              ...variant.env,
            }),
            GATEWAY_START_TIMEOUT_MS,
          ),
    ),
  );
  return {
    holders: new Map(holders.map((child) => [child.label, child])),
    gateways: new Map([...variants.keys()].map((id, index) => [id, gateways[index] as BenchChild])),
    all: [...holders, ...gateways],
  };
}

function servingProcess(system: System, scenario: Scenario): BenchChild {
  const { target } = scenario;
  const child =
    target.kind === 'holder'
      ? system.holders.get(target.holder)
      : system.gateways.get(target.gateway.id);
  if (child === undefined) throw new Error(`no process serves scenario ${scenario.id}`);
  return child;
}

function requestBody(scenario: Scenario): string {
  return JSON.stringify({ query: scenario.query, variables: scenario.variables });
}

/**
 * Sends the scenario's query once and throws unless it answers 200 with
 * data for every root field and no errors: load on a failing query would
 * measure error handling, not the feature.
 */
async function checkAnswers(
  scenario: Scenario,
  url: string,
  headers: ScenarioHeaders,
): Promise<void> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...(await headers.headersFor(scenario)), 'content-type': 'application/json' },
      body: requestBody(scenario),
    });
    text = await response.text();
  } catch (error) {
    throw new Error(`scenario ${scenario.id}: no answer from ${url}`, { cause: error });
  }
  let answer: { data?: Record<string, unknown> | null; errors?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    answer = {};
  }
  const data = answer.data;
  const complete =
    data !== undefined && data !== null && Object.values(data).every((value) => value !== null);
  if (response.status !== 200 || answer.errors !== undefined || !complete) {
    throw new Error(
      `scenario ${scenario.id} does not answer correctly (HTTP ${response.status}): ${text}`,
    );
  }
}

interface Run extends RunResult {
  readonly round: number;
  readonly scenario: string;
  readonly servedBy: string;
  readonly cpuMsPerRequest: number;
}

async function measureRun(
  scenario: Scenario,
  system: System,
  headers: ScenarioHeaders,
  load: LoadSettings,
  round: number,
): Promise<Run> {
  const served = servingProcess(system, scenario);
  const authorizations = await headers.authorizationsFor(
    scenario,
    load.durationSeconds * FRESH_ASSERTIONS_PER_SECOND,
  );
  const result = await runLoad(
    served.url,
    requestBody(scenario),
    load,
    system.all,
    await headers.headersFor(scenario),
    authorizations,
  );
  if (authorizations !== undefined && result.responses > authorizations.length) {
    progress(
      `warning: ${scenario.id} sent ${result.responses} requests with ${authorizations.length} assertions; the rest reused cached ones`,
    );
  }
  const cpuMs = result.cpuMsByProcess[served.label] ?? Number.NaN;
  return {
    round,
    scenario: scenario.id,
    servedBy: served.label,
    ...result,
    cpuMsPerRequest: result.responses === 0 ? Number.NaN : cpuMs / result.responses,
  };
}

function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Summary {
  readonly scenario: string;
  readonly description: string;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly cpuMsPerRequest: number;
  readonly rpsToDirect: number;
  readonly baseline: string | undefined;
  readonly rpsToBaseline: number;
  readonly cpuPerRequestToBaseline: number;
  /** Non-2xx responses and connection errors over all measured runs. */
  readonly failed: number;
}

/**
 * Medians over rounds. Ratios are taken within each round, then their
 * median: scenarios of one round ran back to back, so they saw the same
 * machine load, which a ratio of medians would not guarantee.
 */
function summarise(scenarios: readonly Scenario[], runs: readonly Run[]): Summary[] {
  const runsOf = (id: string | undefined) => runs.filter((run) => run.scenario === id);
  const ratio = (
    own: readonly Run[],
    other: readonly Run[],
    measure: (run: Run) => number,
  ): number =>
    median(
      own.map((run) => {
        const reference = other.find((candidate) => candidate.round === run.round);
        return reference === undefined ? Number.NaN : measure(run) / measure(reference);
      }),
    );
  const direct = runsOf('direct');
  return scenarios.map((scenario) => {
    const own = runsOf(scenario.id);
    const baseline = runsOf(scenario.baseline);
    return {
      scenario: scenario.id,
      description: scenario.description,
      requestsPerSecond: median(own.map((run) => run.requestsPerSecond)),
      latencyP50Ms: median(own.map((run) => run.latencyP50Ms)),
      latencyP99Ms: median(own.map((run) => run.latencyP99Ms)),
      cpuMsPerRequest: median(own.map((run) => run.cpuMsPerRequest)),
      rpsToDirect: ratio(own, direct, (run) => run.requestsPerSecond),
      baseline: scenario.baseline,
      rpsToBaseline: ratio(own, baseline, (run) => run.requestsPerSecond),
      cpuPerRequestToBaseline: ratio(own, baseline, (run) => run.cpuMsPerRequest),
      failed: own.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    };
  });
}

function formatTable(summaries: readonly Summary[]): string {
  const number = (value: number, digits: number) =>
    Number.isNaN(value) ? '-' : value.toFixed(digits);
  const times = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(2)}x`);
  const header = [
    'scenario',
    'rps',
    'p50 ms',
    'p99 ms',
    'CPU ms/req',
    'rps/direct',
    'baseline',
    'rps/base',
    'CPU/base',
    'failed',
  ];
  const rows = summaries.map((summary) => [
    summary.scenario,
    number(summary.requestsPerSecond, 0),
    number(summary.latencyP50Ms, 1),
    number(summary.latencyP99Ms, 1),
    number(summary.cpuMsPerRequest, 3),
    times(summary.rpsToDirect),
    summary.baseline ?? '-',
    times(summary.rpsToBaseline),
    times(summary.cpuPerRequestToBaseline),
    String(summary.failed),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  // Text columns (scenario, baseline) align left, numbers right.
  const textColumns = new Set([0, 6]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        textColumns.has(column)
          ? cell.padEnd(widths[column] ?? 0)
          : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

async function bench(options: BenchOptions, group: ChildGroup): Promise<number> {
  const startedAt = new Date();
  progress(`preparing sandbox data in ${DATA_DIR}`);
  const sandbox = await ensureSandboxData({
    dataDir: DATA_DIR,
    seed: SEED,
    persons: options.persons,
    asOf: AS_OF,
  });
  progress(
    sandbox.generated
      ? `generated ${options.persons} people in ${(sandbox.durationMs / 1000).toFixed(1)} s`
      : 'sandbox data already present',
  );

  // Before the data holders start: they read the gateway's public key at start.
  const headers = await scenarioHeaders(options.scenarios, options);
  progress('starting the data holders and gateways');
  const system = await startSystem(group, options.scenarios, headers);
  for (const scenario of options.scenarios) {
    await checkAnswers(scenario, servingProcess(system, scenario).url, headers);
  }

  progress(`warming up (${WARM_UP_SECONDS} s per scenario)`);
  for (const scenario of options.scenarios) {
    await measureRun(
      scenario,
      system,
      headers,
      { ...options.load, durationSeconds: WARM_UP_SECONDS },
      0,
    );
  }

  const runs: Run[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const scenario of options.scenarios) {
      const run = await measureRun(scenario, system, headers, options.load, round);
      group.assertAllRunning();
      runs.push(run);
      progress(
        `round ${round}/${options.rounds} ${scenario.id}: ${run.requestsPerSecond.toFixed(0)} rps, ${run.cpuMsPerRequest.toFixed(3)} CPU ms/req`,
      );
    }
  }

  const summaries = summarise(options.scenarios, runs);
  const resultsPath = join(
    BENCH_DIR,
    `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  mkdirSync(BENCH_DIR, { recursive: true });
  writeFileSync(
    resultsPath,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        node: process.version,
        cpus: availableParallelism(),
        settings: {
          ...options.load,
          rounds: options.rounds,
          warmUpSeconds: WARM_UP_SECONDS,
        },
        dataset: sandbox.manifest,
        scenarios: options.scenarios,
        runs,
        summary: summaries,
      },
      null,
      2,
    )}\n`,
  );

  console.log(
    `\n${options.rounds} round(s) of ${options.load.durationSeconds} s, ${options.load.connections} connections; medians over rounds. CPU: the serving process only.\n`,
  );
  console.log(formatTable(summaries));
  console.log(`\nRaw results: ${resultsPath}`);

  const failed = summaries.reduce((sum, summary) => sum + summary.failed, 0);
  if (failed > 0) {
    console.error(
      `bench: ${failed} request(s) failed (non-2xx or connection error): the numbers are not comparable`,
    );
    return 1;
  }
  return 0;
}

/** The message and the chain of causes, without stacks: each says which step failed. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined
    ? error.message
    : `${error.message}: ${describeError(error.cause)}`;
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }

  const group = new ChildGroup();
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal} received, stopping`);
    void group.stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await bench(options, group);
  } catch (error) {
    console.error(`bench: ${describeError(error)}`);
    return 1;
  } finally {
    await group.stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main();
