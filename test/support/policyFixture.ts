import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Policy folders for tests: `purposes/` and `reusers/` in a temporary
 * directory, written from plain objects. The files are JSON, which is YAML,
 * after the comment the policy files start with.
 */

export type PurposeFixture = {
  id: string;
  holders: readonly string[];
  /** Grants by coordinate: `{}`, `{ transform: 'year' }`, `{ args: { month: { window: {...} } } }`... */
  grants: Readonly<Record<string, object>>;
  mode?: 'reject' | 'filter' | 'dry-run';
  stage?: 'sandbox' | 'production';
  validFrom?: string;
  validUntil?: string;
  requiredClaims?: readonly ('agent' | 'reason')[];
  /** Tightenings of the gateway's document guards. */
  limits?: {
    maxDepth?: number;
    maxCost?: number;
    subjectsPerRequest?: number;
    requestsPerMinute?: number;
    subjectsPerDay?: number;
  };
};

export type ReuserFixture = {
  id: string;
  purposes: readonly { purpose: string; validFrom?: string; validUntil?: string }[];
  allowedIps?: readonly string[];
};

export function purposeFile(purpose: PurposeFixture): string {
  const body = {
    id: purpose.id,
    title: `Test purpose ${purpose.id}`,
    legalBasis: 'Test fixture, no legal basis',
    holders: purpose.holders,
    stage: purpose.stage ?? 'sandbox',
    validFrom: purpose.validFrom ?? '2026-01-01',
    validUntil: purpose.validUntil ?? '2027-12-31',
    mode: purpose.mode ?? 'reject',
    grants: purpose.grants,
    limits: {
      subjectsPerRequest: 10,
      requestsPerMinute: 600,
      subjectsPerDay: 10_000,
      ...purpose.limits,
    },
    traceability: { requiredClaims: purpose.requiredClaims ?? ['agent'] },
    retention: 'P1Y',
  };
  return `# yaml-language-server: $schema=../schema/purpose.schema.json\n${JSON.stringify(body, null, 2)}\n`;
}

export function reuserFile(reuser: ReuserFixture): string {
  const body = {
    id: reuser.id,
    organisationNumber: '21000000000011',
    name: `Test re-user ${reuser.id}`,
    contacts: [{ role: 'technical', email: `tech@${reuser.id}.example.org` }],
    purposes: reuser.purposes.map((grant) => ({
      purpose: grant.purpose,
      validFrom: grant.validFrom ?? '2026-01-01',
      validUntil: grant.validUntil ?? '2027-12-31',
    })),
    ...(reuser.allowedIps === undefined ? {} : { allowedIps: reuser.allowedIps }),
  };
  return `# yaml-language-server: $schema=../schema/reuser.schema.json\n${JSON.stringify(body, null, 2)}\n`;
}

export type PolicyFixtureDir = {
  dir: string;
  writePurpose(purpose: PurposeFixture): void;
  writeReuser(reuser: ReuserFixture): void;
  /** Writes any file, e.g. an invalid one, by path relative to the folder. */
  writeFile(relativePath: string, content: string): void;
  remove(): void;
};

/** A temporary policies folder holding these purposes and re-users. */
export function createPolicyFixture(policies: {
  purposes: readonly PurposeFixture[];
  reusers: readonly ReuserFixture[];
}): PolicyFixtureDir {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-policies-'));
  mkdirSync(join(dir, 'purposes'));
  mkdirSync(join(dir, 'reusers'));
  const writeFile = (relativePath: string, content: string) =>
    writeFileSync(join(dir, relativePath), content);
  const fixture: PolicyFixtureDir = {
    dir,
    writePurpose: (purpose) => writeFile(`purposes/${purpose.id}.yaml`, purposeFile(purpose)),
    writeReuser: (reuser) => writeFile(`reusers/${reuser.id}.yaml`, reuserFile(reuser)),
    writeFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const purpose of policies.purposes) fixture.writePurpose(purpose);
  for (const reuser of policies.reusers) fixture.writeReuser(reuser);
  return fixture;
}
