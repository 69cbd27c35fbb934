import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * Forking the data holders and gateways under test, and stopping them all.
 * The launcher's `SupervisedChild` hides the child's pid, which the CPU
 * sampling needs, so the benchmark has its own small version.
 */

/** SIGTERM first; SIGKILL whatever is still running after this. */
const STOP_GRACE_MS = 3_000;
/** Output lines kept per child, shown when it fails. */
const KEPT_OUTPUT_LINES = 40;

/** A started child process, serving at `url`. */
export interface BenchChild {
  readonly label: string;
  readonly pid: number;
  readonly url: string;
}

/**
 * Environment of every child: this process's own without inherited
 * PASSERELLE_* settings, which would change what is measured, then
 * telemetry off, production mode and the given settings.
 */
export function benchEnv(settings: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('PASSERELLE_'));
  return {
    ...Object.fromEntries(inherited),
    APOLLO_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
    ...settings,
  };
}

/** Both the data holders and the gateway send `{ type: 'ready', url }` once they serve. */
function readyUrlOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, url } = message as { type?: unknown; url?: unknown };
  return type === 'ready' && typeof url === 'string' ? url : undefined;
}

function keepTail(from: Readable | null, lines: string[]): void {
  if (from === null) return;
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    lines.push(line);
    if (lines.length > KEPT_OUTPUT_LINES) lines.shift();
  });
}

class ForkedChild {
  readonly output: string[] = [];
  readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly label: string,
    readonly childProcess: ChildProcess,
  ) {
    // Output is kept, not printed, so that it does not break up the table.
    keepTail(childProcess.stdout, this.output);
    keepTail(childProcess.stderr, this.output);
    this.exited = new Promise((resolve) => {
      // 'close' rather than 'exit': the output is all read by then.
      childProcess.once('close', () => resolve());
      // Failing to spawn emits 'error' and may never emit 'close'.
      childProcess.once('error', () => resolve());
    });
  }

  get hasExited(): boolean {
    return this.childProcess.exitCode !== null || this.childProcess.signalCode !== null;
  }

  failure(reason: string): Error {
    const tail = this.output.map((line) => `  [${this.label}] ${line}`).join('\n');
    return new Error(`${this.label} ${reason}${tail === '' ? '' : `; its last output:\n${tail}`}`);
  }

  /** Idempotent: a Ctrl-C during the final cleanup must not signal twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.hasExited) return;
      this.childProcess.kill('SIGTERM');
      const timer = setTimeout(() => this.childProcess.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}

/** Every child the benchmark started, so that all of them are stopped whatever happens. */
export class ChildGroup {
  private readonly children: ForkedChild[] = [];

  /**
   * Forks `modulePath` and resolves once it reports ready. Rejects, with the
   * child's last output, if it exits first or takes longer than `timeoutMs`.
   */
  start(
    label: string,
    modulePath: string,
    env: NodeJS.ProcessEnv,
    timeoutMs: number,
  ): Promise<BenchChild> {
    const child = new ForkedChild(
      label,
      fork(modulePath, [], {
        env,
        // Same loader flags as this process, so that children run from .ts under tsx.
        execArgv: process.execArgv,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // Own process group: Ctrl-C reaches only the benchmark, which stops the children.
        detached: true,
      }),
    );
    this.children.push(child);
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        child.childProcess.off('message', onMessage);
        outcome();
      };
      const onMessage = (message: unknown) => {
        const url = readyUrlOf(message);
        const pid = child.childProcess.pid;
        if (url !== undefined && pid !== undefined) settle(() => resolve({ label, pid, url }));
      };
      const timer = setTimeout(
        () => settle(() => reject(child.failure(`was not ready within ${timeoutMs} ms`))),
        timeoutMs,
      );
      child.childProcess.on('message', onMessage);
      void child.exited.then(() =>
        settle(() => reject(child.failure('exited before it was ready'))),
      );
    });
  }

  /** Throws if a child died: its measurements would be meaningless. */
  assertAllRunning(): void {
    const dead = this.children.find((child) => child.hasExited);
    if (dead !== undefined) throw dead.failure('stopped during the benchmark');
  }

  /** All at once, so that stopping takes at most one grace period. */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((child) => child.stop()));
  }
}
