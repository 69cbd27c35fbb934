import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_POLICIES_DIR,
  formatProblems,
  type LoadResult,
  loadPolicySet,
  type PolicySet,
} from '../../policies/engine/index.js';
import type { Command } from './command.js';
import { explainPurpose } from './describePolicy.js';
import { diffPolicySets } from './policyDiff.js';
import { runPolicyTests } from './policyTests.js';
import { composeRepositorySupergraph } from './sandboxSupergraph.js';

const USAGE = `Usage: passerelle policy <subcommand> [--dir <policies folder>]

Subcommands:
  check              validate every policy file against the supergraph; exit 1 listing every problem
  explain <purpose>  what a purpose gets: fields, transforms, windows, limits, re-users
  diff <git-ref>     what access each purpose and re-user gains (+, WIDENS) or loses since <git-ref>
  test               run the policy test cases (<dir>/tests/*.yaml)

--dir defaults to the repository's policies/ folder.`;

function load(dir: string, schemaSdl: string): LoadResult {
  return loadPolicySet({ dir, schemaSdl, scope: { kind: 'supergraph' } });
}

/** Loads and reports problems; undefined when the files are invalid. */
function loadOrReport(dir: string, schemaSdl: string): PolicySet | undefined {
  const result = load(dir, schemaSdl);
  if (result.ok) {
    if (result.warnings.length > 0) console.error(formatProblems(result.warnings));
    return result.policySet;
  }
  console.error(formatProblems(result.problems));
  return undefined;
}

function check(dir: string, schemaSdl: string): number {
  const result = load(dir, schemaSdl);
  if (!result.ok) {
    console.error(formatProblems(result.problems));
    console.error(`\n${result.problems.length} problem(s) in ${dir}`);
    return 1;
  }
  if (result.warnings.length > 0) console.error(formatProblems(result.warnings));
  const { purposes, reusers, version } = result.policySet;
  console.log(
    `policies valid: ${purposes.size} purposes, ${reusers.size} re-users, version ${version}`,
  );
  return 0;
}

function explain(dir: string, schemaSdl: string, purposeId: string | undefined): number {
  const policySet = loadOrReport(dir, schemaSdl);
  if (policySet === undefined) return 1;
  const purpose = purposeId === undefined ? undefined : policySet.purposes.get(purposeId);
  if (purpose === undefined) {
    console.error(
      `passerelle policy explain: ${purposeId === undefined ? 'name a purpose' : `unknown purpose "${purposeId}"`}; known: ${[...policySet.purposes.keys()].sort().join(', ')}`,
    );
    return 2;
  }
  const reusers = [...policySet.reusers.values()]
    .filter((reuser) => reuser.purposes.some((grant) => grant.purpose === purpose.id))
    .map((reuser) => `${reuser.id} (${reuser.name})`);
  console.log(explainPurpose(purpose, reusers));
  return 0;
}

/** Writes the policy files as they were at `ref` into a temporary folder. */
function checkoutPolicies(dir: string, ref: string): string {
  const repository = execFileSync('git', ['rev-parse', '--show-toplevel'], {
    cwd: dir,
    encoding: 'utf8',
  }).trim();
  const prefix = relative(repository, resolve(dir));
  const files = execFileSync(
    'git',
    ['ls-tree', '-r', '--name-only', ref, '--', join(prefix, 'purposes'), join(prefix, 'reusers')],
    {
      cwd: repository,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((file) => file.endsWith('.yaml'));
  const target = mkdtempSync(join(tmpdir(), 'passerelle-policies-'));
  for (const file of files) {
    const destination = join(target, relative(prefix, file));
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(
      destination,
      execFileSync('git', ['show', `${ref}:${file}`], { cwd: repository }),
    );
  }
  return target;
}

function diff(
  dir: string,
  schemaSdl: string,
  ref: string | undefined,
  failOnWidening: boolean,
): number {
  if (ref === undefined) {
    console.error(
      'passerelle policy diff: name the git revision to compare with, e.g. main or HEAD~1',
    );
    return 2;
  }
  let previousDir: string;
  try {
    previousDir = checkoutPolicies(dir, ref);
  } catch (error) {
    console.error(
      `passerelle policy diff: cannot read policies at "${ref}": ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  try {
    const before = loadOrReport(previousDir, schemaSdl);
    const after = loadOrReport(dir, schemaSdl);
    if (before === undefined || after === undefined) return 1;
    const changes = diffPolicySets(before, after);
    if (changes.length === 0) {
      console.log(`no change in access since ${ref}`);
      return 0;
    }
    for (const change of changes) {
      console.log(`${change.widens ? 'WIDENS  ' : '        '}${change.subject}: ${change.text}`);
    }
    const widening = changes.filter((change) => change.widens).length;
    console.log(`\n${changes.length} change(s) since ${ref}, ${widening} widening access`);
    return failOnWidening && widening > 0 ? 1 : 0;
  } finally {
    rmSync(previousDir, { recursive: true, force: true });
  }
}

function parsePolicyArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: {
      dir: { type: 'string' },
      'fail-on-widening': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
}

/** `passerelle policy ...`: commands for policy authors. */
export const policyCommand: Command = {
  summary: 'check, explain, diff and test purpose policies',
  async run(args) {
    let parsed: ReturnType<typeof parsePolicyArgs>;
    try {
      parsed = parsePolicyArgs(args);
    } catch (error) {
      console.error(
        `passerelle policy: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
      );
      return 2;
    }
    const [subcommand, argument] = parsed.positionals;
    if (parsed.values.help === true) {
      console.log(USAGE);
      return 0;
    }
    const dir = resolve(parsed.values.dir ?? DEFAULT_POLICIES_DIR);
    const schemaSdl = composeRepositorySupergraph();
    switch (subcommand) {
      case 'check':
        return check(dir, schemaSdl);
      case 'explain':
        return explain(dir, schemaSdl, argument);
      case 'diff':
        return diff(dir, schemaSdl, argument, parsed.values['fail-on-widening'] === true);
      case 'test': {
        const policySet = loadOrReport(dir, schemaSdl);
        return policySet === undefined
          ? 1
          : runPolicyTests(join(dir, 'tests'), policySet, schemaSdl);
      }
      default:
        console.error(
          `passerelle policy: ${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}\n\n${USAGE}`,
        );
        return 2;
    }
  },
};
