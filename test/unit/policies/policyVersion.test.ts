import * as fs from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadPolicySet, type PolicySet } from '../../../policies/engine/index.js';
// Internal: the hash alone, to probe what it depends on.
import { policyVersion } from '../../../policies/engine/policyVersion.js';
import {
  createPoliciesDir,
  FIXTURE_SUPERGRAPH,
  purposeYaml,
  reuserYaml,
  validFiles,
} from './harness.js';

// Lets a test reverse the order the file system lists a folder in.
const listing = vi.hoisted(() => ({ reversed: false }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const readdirSync = ((...args: Parameters<typeof actual.readdirSync>) => {
    const names = actual.readdirSync(...args) as unknown[];
    return listing.reversed ? [...names].reverse() : names;
  }) as typeof actual.readdirSync;
  return { ...actual, readdirSync, default: { ...actual, readdirSync } };
});

afterEach(() => {
  listing.reversed = false;
});

function versionOf(dir: string): string {
  const result = loadPolicySet({
    dir,
    schemaSdl: FIXTURE_SUPERGRAPH,
    scope: { kind: 'supergraph' },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.policySet.version;
}

function loaded(dir: string): PolicySet {
  const result = loadPolicySet({
    dir,
    schemaSdl: FIXTURE_SUPERGRAPH,
    scope: { kind: 'supergraph' },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.policySet;
}

const twoPurposes = {
  ...validFiles(),
  'purposes/aid.yaml': purposeYaml({ id: 'aid' }),
  'purposes/zeta.yaml': purposeYaml({ id: 'zeta' }),
};

describe('policy version', () => {
  it('is a SHA-256 in hex', () => {
    expect(versionOf(createPoliciesDir(validFiles()))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order the folders are listed in', () => {
    const dir = createPoliciesDir(twoPurposes);
    const listed = versionOf(dir);
    listing.reversed = true;
    expect(fs.readdirSync(join(dir, 'purposes'))).toEqual(
      [...fs.readdirSync(join(dir, 'purposes'))].sort().reverse(),
    );
    expect(versionOf(dir)).toBe(listed);
    // Neither purposes' order nor anything else observable depends on the listing.
    expect([...loaded(dir).purposes.keys()]).toEqual(['aid', 'canteen', 'zeta']);
  });

  it('does not depend on where the folder is', () => {
    expect(versionOf(createPoliciesDir(validFiles()))).toBe(
      versionOf(createPoliciesDir(validFiles())),
    );
  });

  it('changes when one byte of one file changes', () => {
    const dir = createPoliciesDir(validFiles());
    const before = versionOf(dir);
    writeFileSync(
      join(dir, 'reusers/commune-a.yaml'),
      reuserYaml().replace('Commune A', 'Commune B'),
    );
    expect(versionOf(dir)).not.toBe(before);
  });

  it('changes when a file is renamed, even with the same content', () => {
    const content = Buffer.from(purposeYaml());
    expect(policyVersion([{ relativePath: 'purposes/a.yaml', bytes: content }])).not.toBe(
      policyVersion([{ relativePath: 'purposes/b.yaml', bytes: content }]),
    );
  });

  it('tells apart contents that only differ by where one file ends', () => {
    const split = (first: string, second: string) =>
      policyVersion([
        { relativePath: 'purposes/a.yaml', bytes: Buffer.from(first) },
        { relativePath: 'purposes/b.yaml', bytes: Buffer.from(second) },
      ]);
    expect(split('ab', 'c')).not.toBe(split('a', 'bc'));
  });
});
