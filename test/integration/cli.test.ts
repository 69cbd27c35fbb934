import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPeopleSubgraph, type TinySubgraph } from '../unit/gateway/tinySubgraphs.js';
import '../support/context.js';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a TypeScript entry point as its own process; bounded by `timeoutMs`. */
async function run(
  entry: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('passerelle command line', () => {
  it('lists its commands and refuses an unknown one', async () => {
    const result = await run('gateway/cli/main.ts', ['launch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "launch"');
    expect(result.stderr).toContain('start');
  });

  it.each([
    [['--port=abc'], '--port'],
    [['--as-of=2026-13-01'], '--as-of'],
    [['--persons=-5'], '--persons'],
    [['--colour=blue'], 'colour'],
  ])('start %j refuses the bad option and names it', async (args, named) => {
    const result = await run('gateway/cli/main.ts', ['start', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(named);
    // Nothing was started: no ready line.
    expect(result.stdout).not.toContain('gateway ready');
  });
});

describe('passerelle sandbox', () => {
  it.each([
    [['generate', '--persons=abc'], '--persons must be an integer'],
    [['generate', '--as-of=2026-02-30'], '2026-02-30'],
    [['generate', '--seed=1', '--colour=blue'], 'colour'],
    [['regenerate'], 'unknown subcommand "regenerate"'],
  ])('%j is refused with a message saying what to change', async (args, message) => {
    const result = await run('gateway/cli/main.ts', ['sandbox', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('gateway process start-up failures', () => {
  let people: TinySubgraph;

  beforeAll(async () => {
    people = await startPeopleSubgraph();
  });

  afterAll(async () => {
    await people.stop();
  });

  it('exits non-zero naming the subgraphs and field when composition fails', async () => {
    // The same subgraph twice under two names: both define Query.person, which composition refuses.
    const result = await run('gateway/main.ts', [], {
      PASSERELLE_PORT: '0',
      // The gateway keeps its context key pair there (keys/), shared by the run's processes.
      PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
      PASSERELLE_SUBGRAPHS: `first=${people.url},second=${people.url}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Query.person');
    expect(result.stderr).toContain('"first"');
    expect(result.stderr).toContain('"second"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits non-zero naming the subgraph that does not answer', async () => {
    const result = await run('gateway/main.ts', [], {
      PASSERELLE_PORT: '0',
      PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
      PASSERELLE_STARTUP_TIMEOUT_MS: '1500',
      PASSERELLE_SUBGRAPHS: `people=${people.url},absent=http://127.0.0.1:9/graphql`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('absent');
    expect(result.stderr).not.toContain('"people"');
  });
});
