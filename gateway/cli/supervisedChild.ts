import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** How a child process ended. */
export type ChildExit = Readonly<{ code: number | null; signal: NodeJS.Signals | null }>;

/** The outcome of `stop()`: stopped now, or already gone before it was asked to. */
export type StopOutcome =
  | Readonly<{ kind: 'stopped'; exit: ChildExit }>
  | Readonly<{ kind: 'had-exited'; exit: ChildExit }>;

export function describeExit(exit: ChildExit): string {
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}

/** A child that could not start: which one, and why. */
export class ChildStartError extends Error {
  override readonly name = 'ChildStartError';

  constructor(
    readonly label: string,
    reason: string,
  ) {
    super(`${label} ${reason}`);
  }
}

/** The message both data holders and the gateway send once they serve. */
function readyUrlOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, url } = message as { type?: unknown; url?: unknown };
  return type === 'ready' && typeof url === 'string' ? url : undefined;
}

function forwardLines(from: Readable | null, to: Writable, label: string): void {
  if (from === null) return;
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    to.write(`[${label}] ${line}\n`);
  });
}

/**
 * A Node process forked by the launcher, with its output prefixed by its
 * label. It runs in its own process group (`detached`), so a Ctrl-C in the
 * terminal reaches only the launcher, which then stops the children in
 * order. Children exit by themselves if the launcher dies (IPC disconnect).
 */
export class SupervisedChild {
  /** Settles once the process has ended and its output is flushed. */
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;

  constructor(
    readonly label: string,
    modulePath: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = fork(modulePath, [], {
      env,
      // Same loader flags as the launcher: children run from .ts under tsx, from .js once built.
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    forwardLines(this.child.stdout, process.stdout, label);
    forwardLines(this.child.stderr, process.stderr, label);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve({ code, signal }));
      // Failing to spawn emits 'error' and may never emit 'close'.
      this.child.once('error', () => resolve({ code: null, signal: null }));
    });
  }

  /**
   * Resolves with the URL the child reports once it serves. Rejects with a
   * `ChildStartError` if it exits first or is not ready within `timeoutMs`.
   */
  waitForReady(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        outcome();
      };
      const onMessage = (message: unknown) => {
        const url = readyUrlOf(message);
        if (url !== undefined) settle(() => resolve(url));
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(new ChildStartError(this.label, `did not report ready within ${timeoutMs} ms`)),
          ),
        timeoutMs,
      );
      this.child.on('message', onMessage);
      void this.exited.then((exit) =>
        settle(() =>
          reject(
            new ChildStartError(this.label, `exited before it was ready (${describeExit(exit)})`),
          ),
        ),
      );
    });
  }

  /** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<StopOutcome> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return { kind: 'had-exited', exit: await this.exited };
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { kind: 'stopped', exit };
  }
}
