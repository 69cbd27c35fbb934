import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PolicyProblem } from '../../../policies/engine/index.js';
import { DATA_HOLDER_DEFINITIONS } from '../../../subgraphs/index.js';
import { type HolderPolicies, watchHolderPolicies } from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import '../../support/context.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import {
  FIXTURE_POLICIES_DIR,
  refusals,
  startTestHolder,
  type TestHolder,
  testContextKey,
} from './harness.js';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const MEMBERS = `{ beneficiaryByFileNumber(fileNumber: "${NAMED_PEOPLE.singleParent.benefitsFileNumber}") {
  familyBenefits { members { role } } } }`;

/** Polls until `check` holds: file watching is asynchronous and debounced. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('policies edited while a data holder runs', () => {
  let dir: string;
  let policies: HolderPolicies;
  let holder: TestHolder;
  const reported: PolicyProblem[][] = [];
  let purposeFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-policies-'));
    cpSync(FIXTURE_POLICIES_DIR, dir, { recursive: true });
    purposeFile = join(dir, 'purposes', 'canteen-pricing.yaml');
    policies = watchHolderPolicies({
      dir,
      holder: 'family-benefits',
      typeDefs: DATA_HOLDER_DEFINITIONS['family-benefits'].typeDefs,
      onProblems: (problems) => reported.push([...problems]),
    });
    holder = await startTestHolder('family-benefits', policies);
  });

  afterAll(async () => {
    policies.stop();
    await holder.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const membersServed = async () =>
    (await holder.query(MEMBERS, { purpose: 'canteen-pricing' })).body.errors === undefined;

  it('serves a newly granted field once the file is saved, without a restart', async () => {
    expect(refusals(await holder.query(MEMBERS, { purpose: 'canteen-pricing' }))).toEqual({
      'FamilyBenefitsFile.members': 'PURPOSE_FIELD_DENIED',
    });
    const version = policies.current().version;
    writeFileSync(
      purposeFile,
      readFileSync(purposeFile, 'utf8').replace(
        'grants:\n',
        'grants:\n  FamilyBenefitsFile.members: {}\n  HouseholdMember.role: {}\n',
      ),
    );
    await eventually(membersServed);
    expect(policies.current().version).not.toBe(version);
  });

  it('keeps serving the last valid policies after a bad edit, and reports it', async () => {
    const version = policies.current().version;
    writeFileSync(purposeFile, 'id: canteen-pricing\ngrants: [not, a, map\n');
    await eventually(async () => reported.length > 0);
    expect(reported.at(-1)?.[0]?.file).toBe(purposeFile);
    expect(policies.current().version).toBe(version);
    expect(await membersServed()).toBe(true);
  });
});

describe('a data holder process whose policies do not load', () => {
  it('exits non-zero, listing the problems located in the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passerelle-policies-'));
    try {
      cpSync(FIXTURE_POLICIES_DIR, dir, { recursive: true });
      // The holder reads the gateway's public key before its policies: give it one.
      const publicKeyFile = join(dir, 'gateway-context.public.jwk');
      writeFileSync(publicKeyFile, JSON.stringify((await testContextKey()).key.publicJwk));
      const file = join(dir, 'purposes', 'canteen-pricing.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          'FamilyQuotient.value: {}',
          'FamilyQuotient.value: { transform: year }',
        ),
      );
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join('subgraphs', 'family-benefits', 'main.ts')],
        {
          cwd: REPOSITORY,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            PASSERELLE_POLICIES_DIR: dir,
            PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
            PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: publicKeyFile,
            PASSERELLE_AS_OF: TEST_DATASET.asOf,
          },
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      // Should it start after all, it must not outlive the test.
      const timer = setTimeout(() => child.kill(), 20_000);
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(output).toMatch(/The policies in .* are invalid/);
      expect(output).toContain('canteen-pricing.yaml');
      expect(output).toContain('FamilyQuotient.value has no derived field for transform year');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
