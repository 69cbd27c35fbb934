import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICIES_DIR } from '../../policies/engine/index.js';
import { registerTestKeys } from './asReuser.js';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 90_000;

export type RunningSystem = {
  gatewayUrl: string;
  /** Each data holder's GraphQL URL, as the launcher announced it. */
  holderUrls: Record<string, string>;
  /** Everything the launcher printed so far. */
  output(): string;
  /** SIGTERM to the launcher; resolves with its exit code. */
  stop(): Promise<number | null>;
};

/**
 * Starts the whole system the way a user does (`passerelle start`), as real
 * processes on loopback ports chosen at run time, over an existing dataset,
 * with this process's test keys registered (`asReuser` signs with them; give
 * it the system's `gatewayUrl` as audience).
 */
export async function startSystem(options: {
  dataDir: string;
  asOf: string;
  seed: number;
  persons: number;
  /** Extra environment for every process, e.g. `PASSERELLE_POLICIES_DIR` for test policies. */
  env?: Readonly<Record<string, string>>;
}): Promise<RunningSystem> {
  // The tests' re-users sign with keys of this process: register them first.
  await registerTestKeys({
    dataDir: options.dataDir,
    policiesDir: options.env?.PASSERELLE_POLICIES_DIR ?? DEFAULT_POLICIES_DIR,
  });
  const launcher: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'gateway/cli/main.ts',
      'start',
      '--port=0',
      '--subgraph-base-port=0',
      `--data-dir=${options.dataDir}`,
      `--as-of=${options.asOf}`,
      `--seed=${options.seed}`,
      `--persons=${options.persons}`,
    ],
    {
      cwd: REPOSITORY,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        APOLLO_TELEMETRY_DISABLED: '1',
        // Inherited by every process the launcher starts, the gateway included,
        // so that all of them count "today" (current month, income year N-1,
        // validity dates) from the dataset's date.
        PASSERELLE_AS_OF: options.asOf,
        ...options.env,
      },
    },
  );
  let output = '';
  launcher.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const holderUrls: Record<string, string> = {};
  const lines = createInterface({ input: launcher.stdout as NodeJS.ReadableStream });
  const exited = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`system not ready in time:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    lines.on('line', (line) => {
      output += `${line}\n`;
      const holder = /^passerelle: (\S+) ready at (\S+)$/.exec(line);
      if (holder?.[1] !== undefined && holder[2] !== undefined) holderUrls[holder[1]] = holder[2];
      const gateway = /^passerelle gateway ready: (\S+)$/.exec(line);
      if (gateway?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(gateway[1]);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${code} before ready:\n${output}`));
    });
  });

  return {
    gatewayUrl,
    holderUrls,
    output: () => output,
    async stop() {
      if (launcher.exitCode === null) launcher.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
