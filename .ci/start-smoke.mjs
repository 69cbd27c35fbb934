// Smoke test of the README's start command, as a user runs it: `npm start`
// builds, generates a small dataset, starts every process, prints the
// gateway URL and a sample curl command. We run that command, check the
// answer, press "Ctrl-C" (SIGINT to the process group) and check everything
// stopped.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-smoke-'));
const args = [
  'start',
  '--',
  '--port=0',
  '--subgraph-base-port=0',
  `--data-dir=${dataDir}`,
  '--persons=1000',
];
const child = spawn('npm', args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise((resolve) =>
  child.on('exit', (code, signal) => resolve({ code, signal })),
);

function fail(message) {
  console.error(`start smoke test failed: ${message}`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

const timer = setTimeout(() => fail('no ready line within 180 s'), 180_000);
const lines = createInterface({ input: child.stdout });
const seen = { url: undefined, curl: undefined, holders: [] };
for await (const line of lines) {
  console.log(line);
  const holder = /^passerelle: (\S+) ready at (\S+)$/.exec(line);
  if (holder) seen.holders.push(holder[2]);
  const ready = /^passerelle gateway ready: (\S+)$/.exec(line);
  if (ready) seen.url = ready[1];
  if (seen.url && line.trim().startsWith('curl ')) {
    seen.curl = line.trim();
    break;
  }
}
clearTimeout(timer);
if (!seen.url || !seen.curl) fail('the ready line or the sample curl command was not printed');

const answer = JSON.parse(execFileSync('bash', ['-c', seen.curl], { encoding: 'utf8' }));
const file = answer.data?.beneficiaryByFileNumber?.familyBenefits;
const levels = (file?.children ?? []).map((child) => child.student?.currentScholarship?.level);
if (answer.errors || file?.familyQuotient?.value !== 380 || !levels.includes(2)) {
  fail(`the sample query did not answer as documented: ${JSON.stringify(answer)}`);
}
console.log(
  `sample query answered: family quotient 380, ${levels.length} children, a level-2 grant`,
);

process.kill(-child.pid, 'SIGINT');
const outcome = await Promise.race([
  exited,
  new Promise((r) => setTimeout(() => r('timeout'), 30_000)),
]);
if (outcome === 'timeout') fail('processes still running 30 s after Ctrl-C');
for (const url of [seen.url, ...seen.holders]) {
  const stillUp = await fetch(url.replace(/\/graphql$/, '/health')).then(
    () => true,
    () => false,
  );
  if (stillUp) fail(`${url} still answers after Ctrl-C`);
}
rmSync(dataDir, { recursive: true, force: true });
console.log('start smoke test passed: started, answered the sample query, stopped on Ctrl-C');
