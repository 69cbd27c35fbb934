import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DATA_HOLDERS } from '../../subgraphs/kit/index.js';
import { ensureSandboxData } from '../../subgraphs/sandbox/index.js';
import {
  ConfigError,
  childProcessEnv,
  type LauncherConfig,
  loadAdminConfig,
  loadLauncherConfig,
} from '../config/index.js';
import { ContextKeyError, ensureGatewayContextKey } from '../contextToken/index.js';
import type { Command } from './command.js';
import { curlCommand, SAMPLE_CLAIMS, sampleRequest } from './sampleQuery.js';
import { issueSandboxCredentials } from './sandboxCredentials.js';
import {
  type ChildExit,
  ChildStartError,
  describeExit,
  type StopOutcome,
  SupervisedChild,
} from './supervisedChild.js';

/** Each flag overrides the environment variable it names. */
const FLAG_VARIABLES = {
  port: 'PASSERELLE_PORT',
  'subgraph-base-port': 'PASSERELLE_SUBGRAPH_BASE_PORT',
  'data-dir': 'PASSERELLE_DATA_DIR',
  persons: 'PASSERELLE_SANDBOX_PERSONS',
  seed: 'PASSERELLE_SANDBOX_SEED',
  'as-of': 'PASSERELLE_AS_OF',
} as const;
type Flag = keyof typeof FLAG_VARIABLES;

const USAGE = `Usage: passerelle start [options]

Generates the sandbox data if missing, starts the five data holder subgraphs
and the gateway, and prints the gateway's URL once everything answers.
Ctrl-C stops them all (gateway first).

Options (each overrides the environment variable in brackets):
  --port <n>                gateway port, 0 = any free port       [PASSERELLE_PORT, 4000]
  --subgraph-base-port <n>  first of five subgraph ports, 0 = any  [PASSERELLE_SUBGRAPH_BASE_PORT, 4001]
  --data-dir <path>         data folder                            [PASSERELLE_DATA_DIR, ./data]
  --persons <n>             generated sandbox people               [PASSERELLE_SANDBOX_PERSONS, 10000]
  --seed <n>                sandbox generator seed                 [PASSERELLE_SANDBOX_SEED, 42]
  --as-of <YYYY-MM-DD>      the sandbox's "today"                  [PASSERELLE_AS_OF, today in Paris]
  -h, --help                show this help`;

/** How long a child may take to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

/**
 * Extra wait for the gateway beyond its own startup deadline, so that when a
 * subgraph does not serve its SDL in time, the gateway's own message (naming
 * the subgraph) is what the user sees.
 */
const GATEWAY_START_MARGIN_MS = 10_000;

/** The same extension as this file: `.ts` under tsx, `.js` once compiled to dist/. */
const MODULE_EXTENSION = extname(fileURLToPath(import.meta.url));

function siblingModule(relativePath: string): string {
  return fileURLToPath(new URL(`${relativePath}${MODULE_EXTENSION}`, import.meta.url));
}

function say(message: string): void {
  console.log(`passerelle: ${message}`);
}

function complain(message: string): void {
  console.error(`passerelle: ${message}`);
}

function flagFor(variable: string): string | undefined {
  const entry = Object.entries(FLAG_VARIABLES).find(([, name]) => name === variable);
  return entry === undefined ? undefined : `--${entry[0]}`;
}

/** Why the launcher is stopping. */
type StopReason =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'child-exited'; label: string; exit: ChildExit };

/** Resolves on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
function terminationSignal(): { received: Promise<StopReason>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<StopReason>((resolve) => {
    onSignal = (signal) => resolve({ kind: 'signal', signal });
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    received,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Stops the gateway first, so that it finishes in-flight requests while the
 * data holders still answer, then the data holders. True when every child
 * stopped cleanly.
 */
async function stopAll(
  gateway: SupervisedChild | undefined,
  holders: readonly SupervisedChild[],
): Promise<boolean> {
  const outcomes: { label: string; outcome: StopOutcome }[] = [];
  if (gateway !== undefined)
    outcomes.push({ label: gateway.label, outcome: await gateway.stop(STOP_GRACE_MS) });
  const holderOutcomes = await Promise.all(holders.map((holder) => holder.stop(STOP_GRACE_MS)));
  holderOutcomes.forEach((outcome, index) => {
    outcomes.push({ label: holders[index]?.label ?? '?', outcome });
  });
  // Dying of the SIGTERM it was sent is a normal stop; SIGKILL after the grace period is not.
  // A child that had already exited was reported when it did.
  const unclean = outcomes.filter(
    ({ outcome }) =>
      outcome.kind === 'stopped' && outcome.exit.code !== 0 && outcome.exit.signal !== 'SIGTERM',
  );
  for (const { label, outcome } of unclean)
    complain(`${label} did not stop cleanly (${describeExit(outcome.exit)})`);
  return unclean.length === 0;
}

/** Waits for `work` unless a stop reason comes first. */
async function unlessStopped<T>(
  work: Promise<T>,
  stop: Promise<StopReason>,
): Promise<{ kind: 'done'; value: T } | StopReason> {
  return Promise.race([work.then((value) => ({ kind: 'done' as const, value })), stop]);
}

/**
 * Forks the data holders, waits until each reports ready, then forks the
 * gateway pointed at their URLs. `sandboxAsOf`: the sandbox dataset's
 * "today", for the sample query; absent outside the sandbox.
 */
async function launch(config: LauncherConfig, sandboxAsOf: string | undefined): Promise<number> {
  // The data holders check every request against the gateway's public key,
  // which they read at start: the key pair must exist before they do.
  try {
    const contextKey = await ensureGatewayContextKey(config.contextKey);
    if (contextKey.generated)
      say(`gateway context key generated in ${config.contextKey.privateKeyFile}`);
  } catch (error) {
    if (!(error instanceof ContextKeyError)) throw error;
    complain(`could not start: ${error.message}`);
    return 1;
  }
  const signal = terminationSignal();
  const holders = DATA_HOLDERS.map(
    (holder, index) =>
      new SupervisedChild(
        holder,
        siblingModule(`../../subgraphs/${holder}/main`),
        childProcessEnv({
          PASSERELLE_DATA_DIR: config.dataDir,
          // Data holders are internal: only the gateway faces re-users.
          PASSERELLE_HOST: '127.0.0.1',
          PASSERELLE_SUBGRAPH_PORT: String(
            config.subgraphBasePort === 0 ? 0 : config.subgraphBasePort + index,
          ),
          PASSERELLE_LOG_LEVEL: config.logLevel,
          PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: config.contextKey.publicKeyFile,
          ...(config.asOf === undefined ? {} : { PASSERELLE_AS_OF: config.asOf }),
        }),
      ),
  );
  let gateway: SupervisedChild | undefined;
  try {
    const holdersReady = await unlessStopped(
      Promise.all(holders.map((holder) => holder.waitForReady(config.startupTimeoutMs))),
      signal.received,
    );
    if (holdersReady.kind !== 'done') return (await stopAll(undefined, holders)) ? 0 : 1;
    DATA_HOLDERS.forEach((holder, index) => {
      say(`${holder} ready at ${holdersReady.value[index]}`);
    });

    gateway = new SupervisedChild(
      'gateway',
      siblingModule('../main'),
      childProcessEnv({
        PASSERELLE_SUBGRAPHS: DATA_HOLDERS.map(
          (holder, index) => `${holder}=${holdersReady.value[index]}`,
        ).join(','),
        PASSERELLE_MODE: config.mode,
        PASSERELLE_HOST: config.host,
        PASSERELLE_PORT: String(config.port),
        PASSERELLE_DATA_DIR: config.dataDir,
        PASSERELLE_STARTUP_TIMEOUT_MS: String(config.startupTimeoutMs),
        PASSERELLE_LOG_LEVEL: config.logLevel,
        // The gateway counts argument windows ("current month only") from the same day as the holders.
        ...(config.asOf === undefined ? {} : { PASSERELLE_AS_OF: config.asOf }),
      }),
    );
    const gatewayReady = await unlessStopped(
      gateway.waitForReady(config.startupTimeoutMs + GATEWAY_START_MARGIN_MS),
      signal.received,
    );
    if (gatewayReady.kind !== 'done') return (await stopAll(gateway, holders)) ? 0 : 1;

    console.log(`passerelle gateway ready: ${gatewayReady.value}`);
    if (sandboxAsOf !== undefined) {
      const credentials = await issueSandboxCredentials(
        loadAdminConfig({ PASSERELLE_MODE: config.mode, PASSERELLE_DATA_DIR: config.dataDir }),
        { ...SAMPLE_CLAIMS, audience: gatewayReady.value },
      );
      const sample = sampleRequest(sandboxAsOf, {
        Authorization: `Bearer ${credentials.assertion}`,
      });
      console.log(
        `Try it (the assertion is valid until ${credentials.expiresAt.toISOString()}; sign a fresh one with TOKEN=$(${credentials.signCommand})):\n  ${curlCommand(gatewayReady.value, sample)}`,
      );
    }
    console.log('Press Ctrl-C to stop.');

    const children = [gateway, ...holders];
    const reason = await Promise.race([
      signal.received,
      ...children.map((child) =>
        child.exited.then(
          (exit): StopReason => ({ kind: 'child-exited', label: child.label, exit }),
        ),
      ),
    ]);
    if (reason.kind === 'child-exited') {
      complain(
        `${reason.label} stopped unexpectedly (${describeExit(reason.exit)}); stopping the others`,
      );
      await stopAll(gateway, holders);
      return 1;
    }
    say(`${reason.signal} received, stopping`);
    return (await stopAll(gateway, holders)) ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ChildStartError)) throw error;
    complain(`could not start: ${error.message}`);
    await stopAll(gateway, holders);
    return 1;
  } finally {
    signal.dispose();
  }
}

export const startCommand: Command = {
  summary: 'start the sandbox data holders and the gateway',
  async run(args) {
    let values: Partial<Record<Flag | 'help', string | boolean>>;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          port: { type: 'string' },
          'subgraph-base-port': { type: 'string' },
          'data-dir': { type: 'string' },
          persons: { type: 'string' },
          seed: { type: 'string' },
          'as-of': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        allowPositionals: false,
      }));
    } catch (error) {
      complain(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
      return 2;
    }
    if (values.help === true) {
      console.log(USAGE);
      return 0;
    }

    let config: LauncherConfig;
    try {
      const flags = Object.fromEntries(
        Object.entries(FLAG_VARIABLES).map(([flag, variable]) => {
          const value = values[flag as Flag];
          return [variable, typeof value === 'string' ? value : undefined];
        }),
      );
      config = loadLauncherConfig(flags);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const problems = error.issues.map((issue) => {
        const flag = flagFor(issue.variable);
        return `  - ${flag === undefined ? issue.variable : `${flag} (${issue.variable})`}: ${issue.problem}`;
      });
      complain(`invalid options:\n${problems.join('\n')}`);
      return 2;
    }

    // Fictitious data is for the sandbox only; production reads the
    // operator's stores from the data folder as they are.
    if (config.mode === 'production') return launch(config, undefined);
    say(`preparing sandbox data in ${config.dataDir}`);
    const sandbox = await ensureSandboxData({
      dataDir: config.dataDir,
      seed: config.sandboxSeed,
      persons: config.sandboxPersons,
      asOf: config.asOf,
    });
    const { persons, seed, asOf } = sandbox.manifest;
    const how = sandbox.generated
      ? `generated in ${(sandbox.durationMs / 1000).toFixed(1)} s`
      : 'already present';
    say(`sandbox data ${how} (${persons} people, seed ${seed}, as of ${asOf})`);
    return launch(config, asOf);
  },
};
