import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));

async function passerelle(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/main.ts', ...args], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

// Each test works on its own copy of the shipped policies, in its own git repository.
let workspace: string;
let dir: string;

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'passerelle-policy-cli-'));
  dir = join(workspace, 'policies');
  cpSync(join(REPOSITORY, 'policies'), dir, {
    recursive: true,
    filter: (source) => !source.includes(`${join('policies', 'engine')}`),
  });
});

afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
});

function edit(file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('passerelle policy check', () => {
  it('accepts the shipped policies', async () => {
    const result = await passerelle(['policy', 'check', `--dir=${dir}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/policies valid: 8 purposes, 7 re-users, version [0-9a-f]{64}/);
  });

  it('lists every problem with file, line and a suggestion, and exits 1', async () => {
    edit(
      'purposes/school-canteen-pricing.yaml',
      'FamilyQuotient.month: {}',
      'FamilyQuotient.mont: {}',
    );
    edit('purposes/municipal-social-aid.yaml', 'mode: reject', 'mode: permissive');
    const result = await passerelle(['policy', 'check', `--dir=${dir}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/school-canteen-pricing\.yaml:\d+:\d+ .*FamilyQuotient\.mont/);
    expect(result.stderr).toContain('did you mean FamilyQuotient.month');
    expect(result.stderr).toMatch(/municipal-social-aid\.yaml:\d+:\d+ .*mode/);
  });
});

describe('passerelle policy explain', () => {
  it('shows what a purpose gets, with transforms, windows and limits', async () => {
    const result = await passerelle([
      'policy',
      'explain',
      'school-canteen-pricing',
      `--dir=${dir}`,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'valueBracket  [family-benefits]; value reduced to a bracket (bounds 400, 700, 1000)',
    );
    expect(result.stdout).toContain('familyQuotient  [family-benefits]; month: current month only');
    expect(result.stdout).toContain('1 person(s) per request');
    expect(result.stdout).toContain('commune-de-bellerive');
    expect(result.stdout).not.toMatch(/^\s+value\s/m);
  });

  it('refuses an unknown purpose and lists the known ones', async () => {
    const result = await passerelle(['policy', 'explain', 'canteen', `--dir=${dir}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown purpose "canteen"');
    expect(result.stderr).toContain('school-canteen-pricing');
  });
});

describe('passerelle policy diff', () => {
  beforeEach(() => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git(
      '-c',
      'user.name=Policy Author',
      '-c',
      'user.email=author@example.org',
      'commit',
      '-qm',
      'policies',
    );
  });

  it('reports no change against the same version', async () => {
    const result = await passerelle(['policy', 'diff', 'HEAD', `--dir=${dir}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no change in access since HEAD');
  });

  it('highlights what widens access and what narrows it', async () => {
    // Widen: the jobseeker purpose now sees 6 months of payments; narrow: the canteen loses bracket bounds.
    edit('purposes/jobseeker-mobility-aid.yaml', 'from: -3, to: -1', 'from: -6, to: -1');
    edit('purposes/school-canteen-pricing.yaml', '  AmountBracket.upperBound: {}\n', '');
    const result = await passerelle([
      'policy',
      'diff',
      'HEAD',
      `--dir=${dir}`,
      '--fail-on-widening',
    ]);
    expect(result.stdout).toMatch(
      /WIDENS\s+jobseeker-mobility-aid Jobseeker\.benefitPayments: window the 3 months before the current one -> the 6 months before the current one/,
    );
    expect(result.stdout).toMatch(/^\s+school-canteen-pricing: - AmountBracket\.upperBound$/m);
    expect(result.stdout).toContain('2 change(s) since HEAD, 1 widening access');
    expect(result.code).toBe(1);
  });

  it('refuses a revision git does not know', async () => {
    const result = await passerelle(['policy', 'diff', 'no-such-ref', `--dir=${dir}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-ref');
  });
});

describe('passerelle policy test', () => {
  it('runs the shipped cases', async () => {
    const result = await passerelle(['policy', 'test', `--dir=${dir}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n(\d+) passed, 0 failed/);
  });

  it('fails when a case no longer holds, naming the case', async () => {
    // The canteen purpose now also grants the household address: the case expecting a refusal fails.
    edit(
      'purposes/school-canteen-pricing.yaml',
      '  Person.familyBenefits: {}\n',
      '  Person.familyBenefits: {}\n  FamilyBenefitsFile.address: {}\n',
    );
    const result = await passerelle(['policy', 'test', `--dir=${dir}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "FAIL school-canteen-pricing: the household's address is refused",
    );
  });
});
