import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { BenchChild } from './processes.js';

/** Load settings of one run. */
export interface LoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
}

/** What one run measured. */
export interface RunResult {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Responses received, whatever their status. */
  readonly responses: number;
  readonly non2xx: number;
  /** Responses by HTTP status, to tell a rejection from a crash when `non2xx` is not 0. */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  /** CPU time (user + system) each watched process spent during the run, by label. */
  readonly cpuMsByProcess: Readonly<Record<string, number>>;
}

/** procfs counts CPU time in clock ticks; 100 per second on nearly every Linux. */
const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time a process has used so far (utime + stime from /proc/<pid>/stat),
 * in milliseconds. Counting CPU rather than wall time keeps the comparison
 * meaningful on a shared, noisy machine.
 */
function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of proc(5); field 3 is the first after the name.
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Sends `body` as a JSON POST to `url`, with `headers`, from `connections` connections for
 * `durationSeconds`, and samples the CPU time of the `watched` processes
 * around it. autocannon stops at the duration even if the server hangs.
 */
export async function runLoad(
  url: string,
  body: string,
  settings: LoadSettings,
  watched: readonly BenchChild[],
  headers: Readonly<Record<string, string>> = {},
  /** When given, request n sends `authorizations[n]` (cycling) as its Authorization header. */
  authorizations?: readonly string[],
): Promise<RunResult> {
  const cpuBefore = watched.map((child) => cpuTimeMs(child.pid));
  let next = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
    connections: settings.connections,
    duration: settings.durationSeconds,
    ...(authorizations === undefined || authorizations.length === 0
      ? {}
      : {
          requests: [
            {
              setupRequest(request) {
                const authorization = authorizations[next % authorizations.length] as string;
                next += 1;
                return { ...request, headers: { ...request.headers, authorization } };
              },
            },
          ],
        }),
  });
  const cpuMsByProcess = Object.fromEntries(
    watched.map((child, index) => [child.label, cpuTimeMs(child.pid) - (cpuBefore[index] ?? 0)]),
  );
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    responses: result.requests.total,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [
        status,
        count ?? 0,
      ]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMsByProcess,
  };
}
