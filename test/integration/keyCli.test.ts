import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keyCommand } from '../../gateway/cli/key.js';
import { policyCommand } from '../../gateway/cli/policy.js';
import { reuserCommand } from '../../gateway/cli/reuser.js';
import { sandboxCommand } from '../../gateway/cli/sandbox.js';
import { generateReuserKeyPair, type ReuserKeyPair } from '../../gateway/clientAssertion/index.js';
import { type KeyRegistry, openKeyRegistry } from '../../gateway/keyRegistry/index.js';
import {
  dropSchema,
  POSTGRES_SKIP_REASON,
  reportPostgresSkipped,
  TEST_POSTGRES_URL,
  uniqueSchemaName,
} from '../support/postgres.js';

// The administration commands, run as an operator runs them: spawned
// processes with their exit codes. The long tables of bad inputs call the
// same commands in-process (`Command.run`, which is what main.ts calls),
// because each spawn costs seconds of CPU on this small machine.

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));

type Outcome = { code: number | null; stdout: string; stderr: string };

/** The environment without any PASSERELLE_* variable of the test runner's shell. */
function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PASSERELLE_')),
  );
  return { ...env, ...overrides };
}

async function passerelle(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/main.ts', ...args], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(env),
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

/** A command run in this process, its console output captured. */
async function inProcess(
  command: { run(args: readonly string[]): Promise<number> },
  args: string[],
): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    stdout += `${parts.join(' ')}\n`;
  });
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    stderr += `${parts.join(' ')}\n`;
  });
  try {
    return { code: await command.run(args), stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

let workspace: string;
let dataDir: string;
let policiesDir: string;
let keysDir: string;
const pairs: Record<string, ReuserKeyPair> = {};

/** Writes a key pair's two files; returns the public file's path. */
async function keyFiles(name: string, algorithm: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<string> {
  const pair = await generateReuserKeyPair(algorithm);
  pairs[name] = pair;
  writeFileSync(join(keysDir, `${name}.public.jwk`), JSON.stringify(pair.publicJwk));
  writeFileSync(join(keysDir, `${name}.private.jwk`), JSON.stringify(pair.privateJwk));
  return join(keysDir, `${name}.public.jwk`);
}

function pairOf(name: string): ReuserKeyPair {
  const pair = pairs[name];
  if (pair === undefined) throw new Error(`no key pair ${name}`);
  return pair;
}

/** `YYYY-MM-DD`, `days` from today (UTC: far enough from any boundary the tests use). */
function dateIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const at = () => [`--data-dir=${dataDir}`, `--policies-dir=${policiesDir}`];

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'passerelle-key-cli-'));
  dataDir = join(workspace, 'data');
  policiesDir = join(workspace, 'policies');
  keysDir = join(workspace, 'keys');
  mkdirSync(keysDir);
  for (const folder of ['purposes', 'reusers', 'schema']) {
    cpSync(join(REPOSITORY, 'policies', folder), join(policiesDir, folder), { recursive: true });
  }
  await keyFiles('commune');
  await keyFiles('commune-next', 'ES256');
  await keyFiles('ccas');
  await keyFiles('unregistered');
  const rsa = await generateKeyPair('RS256', { extractable: true });
  writeFileSync(join(keysDir, 'rsa.public.jwk'), JSON.stringify(await exportJWK(rsa.publicKey)));
  writeFileSync(join(keysDir, 'set.jwk'), JSON.stringify({ keys: [pairOf('ccas').publicJwk] }));
  writeFileSync(join(keysDir, 'not-json.jwk'), 'kty: OKP\n');
});

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

describe('passerelle key', () => {
  it('adds, lists, rotates and revokes a key, each process seeing the last one’s work', async () => {
    const added = await passerelle([
      'key',
      'add',
      '--reuser',
      'commune-de-bellerive',
      '--jwk',
      join(keysDir, 'commune.public.jwk'),
      '--valid-until',
      dateIn(200),
      ...at(),
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const kid = pairOf('commune').kid;
    expect(added.stdout).toContain('key added for commune-de-bellerive (Commune de Bellerive)');
    expect(added.stdout).toMatch(new RegExp(`kid\\s+${kid}`));
    expect(added.stdout).toMatch(/algorithm\s+EdDSA/);

    const rotated = await inProcess(keyCommand, [
      'rotate',
      kid,
      '--jwk',
      join(keysDir, 'commune-next.public.jwk'),
      '--grace-days',
      '3',
      ...at(),
    ]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(pairOf('commune-next').kid);
    expect(rotated.stdout).toMatch(/valid until .*\(grace period: 3 days\)/);

    const listed = await inProcess(keyCommand, [
      'list',
      '--reuser',
      'commune-de-bellerive',
      ...at(),
    ]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^KID\s+RE-USER\s+ALG\s+VALID FROM\s+VALID UNTIL\s+STATE$/m);
    expect(listed.stdout).toMatch(
      new RegExp(`^${kid}\\s+commune-de-bellerive\\s+EdDSA.*usable, replaced by`, 'm'),
    );
    expect(listed.stdout).toMatch(
      new RegExp(`^${pairOf('commune-next').kid}\\s+commune-de-bellerive\\s+ES256.*usable$`, 'm'),
    );

    const revoked = await passerelle(['key', 'revoke', kid, '--reason', 'laptop lost', ...at()]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`key ${kid} of commune-de-bellerive revoked at`);
    expect(revoked.stdout).toContain('(laptop lost)');
    const again = await inProcess(keyCommand, ['revoke', kid, ...at()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already revoked by admin');
  }, 120_000);

  it('takes a key id that starts with "-" (one in 64 do) as the key id, not as an option', async () => {
    let keyPair = await generateReuserKeyPair();
    for (let tries = 0; !keyPair.kid.startsWith('-') && tries < 2_000; tries++) {
      keyPair = await generateReuserKeyPair();
    }
    expect(keyPair.kid.startsWith('-')).toBe(true);
    const registry = await openKeyRegistry({ kind: 'sqlite', dataDir });
    try {
      await registry.addKey('ccas-de-bellerive', keyPair.publicJwk);
    } finally {
      await registry.close();
    }
    const revoked = await inProcess(keyCommand, ['revoke', keyPair.kid, ...at()]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`key ${keyPair.kid} of ccas-de-bellerive revoked at`);
  });

  it('tells a process watching the registry within a second of a revocation', async () => {
    const registry = await openKeyRegistry({ kind: 'sqlite', dataDir });
    try {
      const { publicJwk, kid } = await generateReuserKeyPair();
      await registry.addKey('ccas-de-bellerive', publicJwk);
      const noticed = new Promise<number>((resolve) => {
        const stop = registry.onChange(() => {
          stop();
          resolve(Date.now());
        });
      });
      const revoked = await passerelle(['key', 'revoke', kid, ...at()]);
      const exited = Date.now();
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await noticed) - exited).toBeLessThan(1_000);
      expect((await registry.findKey(kid))?.status).toBe('revoked');
    } finally {
      await registry.close();
    }
  });

  it('refuses a private key with exit 2, saying what to register instead', async () => {
    const privateKey = await passerelle([
      'key',
      'add',
      '--reuser=ccas-de-bellerive',
      `--jwk=${join(keysDir, 'ccas.private.jwk')}`,
      ...at(),
    ]);
    expect(privateKey.code).toBe(2);
    expect(privateKey.stderr).toContain(
      'holds private key material ("d"): register the public key only',
    );
  });

  it.each([
    [
      'an RSA key',
      ['add', '--reuser=ccas-de-bellerive', '--jwk=KEYS/rsa.public.jwk'],
      'a "RSA" key is not accepted: register an Ed25519 key',
    ],
    [
      'a JWK Set',
      ['add', '--reuser=ccas-de-bellerive', '--jwk=KEYS/set.jwk'],
      'holds a JWK Set: give a file holding the one key',
    ],
    [
      'a file that is not JSON',
      ['add', '--reuser=ccas-de-bellerive', '--jwk=KEYS/not-json.jwk'],
      'is not JSON',
    ],
    [
      'a missing file',
      ['add', '--reuser=ccas-de-bellerive', '--jwk=KEYS/missing.jwk'],
      '(ENOENT): give the path of the public key file',
    ],
    [
      'no --jwk',
      ['add', '--reuser=ccas-de-bellerive'],
      'give the public key file with --jwk <file>',
    ],
    ['no --reuser', ['add', '--jwk=KEYS/ccas.public.jwk'], 'name the re-user with --reuser <id>'],
    [
      'a validity over 18 months',
      [
        'add',
        '--reuser=ccas-de-bellerive',
        '--jwk=KEYS/ccas.public.jwk',
        `--valid-until=${dateIn(600)}`,
      ],
      'a key is valid at most 18 months; choose',
    ],
    [
      'a date that does not exist',
      [
        'add',
        '--reuser=ccas-de-bellerive',
        '--jwk=KEYS/ccas.public.jwk',
        '--valid-until=2027-02-30',
      ],
      '--valid-until must be a real date written YYYY-MM-DD',
    ],
    [
      'a validity already over',
      [
        'add',
        '--reuser=ccas-de-bellerive',
        '--jwk=KEYS/ccas.public.jwk',
        '--valid-until=2020-01-01',
      ],
      '--valid-until 2020-01-01 is already over',
    ],
    ['an unknown subcommand', ['delete'], 'unknown subcommand "delete"'],
    ['no subcommand', [], 'missing subcommand'],
    ['an unknown option', ['list', '--colour'], "Unknown option '--colour'"],
    ['an option of another subcommand', ['list', '--jwk=x'], '--jwk does not apply to key list'],
    ['a stray argument', ['list', 'everything'], 'unexpected argument "everything"'],
    [
      'rotate without a key id',
      ['rotate', '--jwk=KEYS/ccas.public.jwk'],
      'name the key: passerelle key rotate <kid>',
    ],
    [
      'a grace period out of range',
      ['rotate', 'some-kid', '--jwk=KEYS/ccas.public.jwk', '--grace-days=120'],
      '--grace-days must be a whole number from 0 to 90',
    ],
    [
      'rotating an unknown key',
      ['rotate', 'some-kid', '--jwk=KEYS/ccas.public.jwk'],
      'no key has the id "some-kid"',
    ],
    ['revoke without a key id', ['revoke'], 'name the key: passerelle key revoke <kid>'],
    ['an unknown re-user to list', ['list', '--reuser=nobody'], 'unknown re-user "nobody"'],
    [
      'an unknown re-user',
      ['add', '--reuser=mairie-inconnue', '--jwk=KEYS/ccas.public.jwk'],
      'unknown re-user "mairie-inconnue": it is not declared in the policies',
    ],
    ['revoking an unknown key', ['revoke', 'no-such-kid'], 'no key has the id "no-such-kid"'],
  ])('refuses %s (exit 2)', async (_case, args, message) => {
    const result = await inProcess(keyCommand, [
      ...args.map((arg) => arg.replace('KEYS', keysDir)),
      ...at(),
    ]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });

  it('refuses a key registered twice, and rotating a revoked key', async () => {
    const jwk = join(keysDir, 'ccas.public.jwk');
    expect(
      (await inProcess(keyCommand, ['add', '--reuser=ccas-de-bellerive', `--jwk=${jwk}`, ...at()]))
        .code,
    ).toBe(0);
    const twice = await inProcess(keyCommand, [
      'add',
      '--reuser=ccas-de-bellerive',
      `--jwk=${jwk}`,
      ...at(),
    ]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(
      'is already registered for ccas-de-bellerive (active): generate a new key pair',
    );

    const kid = pairOf('ccas').kid;
    expect((await inProcess(keyCommand, ['revoke', kid, ...at()])).code).toBe(0);
    const next = await keyFiles('ccas-next');
    const rotateRevoked = await inProcess(keyCommand, ['rotate', kid, `--jwk=${next}`, ...at()]);
    expect(rotateRevoked.code).toBe(2);
    expect(rotateRevoked.stderr).toContain(
      'is revoked, so there is nothing to hand over: add the new key instead',
    );
  });

  it('queues expiry warnings once and, in the sandbox, delivers them to its output', async () => {
    const expiring = await keyFiles('region');
    const add = await inProcess(keyCommand, [
      'add',
      '--reuser=region-val-de-lys',
      `--jwk=${expiring}`,
      `--valid-until=${dateIn(20)}`,
      ...at(),
    ]);
    expect(add.code).toBe(0);

    const first = await passerelle(['key', 'warnings', ...at()]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        `delivered \\(sandbox log\\): key ${pairOf('region').kid} of region-val-de-lys expires in 30 days .*; to `,
      ),
    );
    const second = await inProcess(keyCommand, ['warnings', ...at()]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain(pairOf('region').kid);
  });

  it('leaves warnings for delivery outside the sandbox', async () => {
    const expiring = await keyFiles('mdph');
    await inProcess(keyCommand, [
      'add',
      '--reuser=mdph-de-la-haute-vallee',
      `--jwk=${expiring}`,
      `--valid-until=${dateIn(5)}`,
      ...at(),
    ]);
    vi.stubEnv('PASSERELLE_MODE', 'production');
    const production = await inProcess(keyCommand, ['warnings', ...at()]).finally(() =>
      vi.unstubAllEnvs(),
    );
    expect(production.code).toBe(0);
    expect(production.stdout).toMatch(
      new RegExp(
        `awaiting delivery: key ${pairOf('mdph').kid} of mdph-de-la-haute-vallee expires in 7 days`,
      ),
    );
  });
});

describe('passerelle reuser', () => {
  it('lists the declared re-users with their keys, and shows one', async () => {
    const listed = await passerelle(['reuser', 'list', ...at()]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+PURPOSES\s+KEYS$/m);
    expect(listed.stdout).toMatch(
      /^departement-de-la-haute-vallee\s+Département de la Haute-Vallée\s+secondary-school-grant\s+\d+ usable \/ \d+$/m,
    );
    expect(listed.stdout.trim().split('\n')).toHaveLength(8);

    const shown = await inProcess(reuserCommand, ['show', 'commune-de-bellerive', ...at()]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('commune-de-bellerive: Commune de Bellerive');
    expect(shown.stdout).toMatch(/organisation number\s+21690999900018/);
    expect(shown.stdout).toMatch(/school-canteen-pricing\s+2025-09-01 to 2027-08-31/);
    expect(shown.stdout).toContain(pairOf('commune').kid);
  });

  it('declares a re-user in a new policy file that passes the policy check', async () => {
    const added = await passerelle([
      'reuser',
      'add',
      '--id=mairie-de-montval',
      "--name=Mairie de Montval d'en Haut",
      '--organisation-number=21690998700012',
      '--email=numerique@montval.example.org',
      '--purpose=school-canteen-pricing',
      '--valid-until=2027-08-31',
      '--purpose=social-pricing-tax-income',
      '--valid-until=2027-12-31',
      '--valid-from=2026-01-01',
      ...at(),
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('reusers/mairie-de-montval.yaml');
    expect(readFileSync(join(policiesDir, 'reusers', 'mairie-de-montval.yaml'), 'utf8')).toBe(
      `# yaml-language-server: $schema=../schema/reuser.schema.json
id: mairie-de-montval
organisationNumber: '21690998700012'
name: Mairie de Montval d'en Haut
contacts:
  - role: technical
    email: numerique@montval.example.org
purposes:
  - purpose: school-canteen-pricing
    validFrom: 2026-01-01
    validUntil: 2027-08-31
  - purpose: social-pricing-tax-income
    validFrom: 2026-01-01
    validUntil: 2027-12-31
`,
    );
    const check = await inProcess(policyCommand, ['check', `--dir=${policiesDir}`]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('8 re-users');
    const key = await inProcess(keyCommand, [
      'add',
      '--reuser=mairie-de-montval',
      `--jwk=${await keyFiles('montval')}`,
      ...at(),
    ]);
    expect(key.code).toBe(0);
  });

  it('writes nothing when the file would not pass, naming the options to change', async () => {
    const refused = await inProcess(reuserCommand, [
      'add',
      '--id=mairie-refusee',
      '--name=Mairie',
      '--organisation-number=2169099870001',
      '--email=not-an-address',
      '--purpose=school-canteen-pricing',
      '--valid-until=2027-08-31',
      ...at(),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the re-user would not pass the policy check');
    expect(refused.stderr).toContain('--organisation-number: expected a SIRET number: 14 digits');
    expect(refused.stderr).toContain('--email: expected an e-mail address');
    expect(() => statSync(join(policiesDir, 'reusers', 'mairie-refusee.yaml'))).toThrow();
  });

  it.each([
    [
      'an unknown purpose',
      ['--purpose=school-canteen-pricng', '--valid-until=2027-08-31'],
      '--purpose school-canteen-pricng: unknown purpose school-canteen-pricng: no policies/purposes/school-canteen-pricng.yaml (did you mean school-canteen-pricing?)',
    ],
    [
      'an end before the start',
      ['--purpose=school-canteen-pricing', '--valid-until=2025-12-31', '--valid-from=2026-01-01'],
      '--valid-until 2025-12-31 (of --purpose school-canteen-pricing): validUntil 2025-12-31 is before validFrom 2026-01-01',
    ],
    ['no purpose', [], 'give at least one purpose: --purpose <id> --valid-until YYYY-MM-DD'],
    [
      'a purpose without its end date',
      ['--purpose=school-canteen-pricing'],
      '--purpose school-canteen-pricing needs its end date: add --valid-until YYYY-MM-DD right after it',
    ],
    [
      'an end date before any purpose',
      ['--valid-until=2027-08-31', '--purpose=school-canteen-pricing'],
      '--valid-until 2027-08-31 must follow the --purpose it limits',
    ],
  ])('refuses %s (exit 2)', async (_case, purposeArgs, message) => {
    const result = await inProcess(reuserCommand, [
      'add',
      '--id=mairie-de-test',
      '--name=Mairie de test',
      '--organisation-number=21690998700012',
      '--email=test@example.org',
      ...purposeArgs,
      ...at(),
    ]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });

  const COMPLETE = [
    '--name=X',
    '--organisation-number=21690998700012',
    '--email=a@b.org',
    '--purpose=school-canteen-pricing',
    '--valid-until=2027-08-31',
  ];

  it.each([
    [
      'an existing re-user',
      ['add', '--id=commune-de-bellerive', ...COMPLETE],
      're-user "commune-de-bellerive" already exists: edit',
    ],
    [
      'an id that is not a file name',
      ['add', '--id=../Mairie', ...COMPLETE],
      '--id "../Mairie" must be lower-case kebab-case',
    ],
    [
      'missing options',
      ['add', '--id=mairie-x', '--email=a@b.org'],
      'missing --name, --organisation-number',
    ],
    ['show without an id', ['show'], 'name the re-user: passerelle reuser show <id>'],
    ['show of an unknown re-user', ['show', 'nobody'], 'unknown re-user "nobody"'],
    ['options of add elsewhere', ['list', '--id=x'], '--id applies only to reuser add'],
    ['an unknown subcommand', ['remove'], 'unknown subcommand "remove"'],
  ])('refuses %s (exit 2)', async (_case, args, message) => {
    const result = await inProcess(reuserCommand, [...args, ...at()]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });
});

describe('passerelle sandbox credentials and sign', () => {
  const REUSER = 'departement-de-la-haute-vallee';
  const PURPOSE = 'secondary-school-grant';

  it('creates a registered key, a private key file and a working assertion', async () => {
    const result = await passerelle([
      'sandbox',
      'credentials',
      `--reuser=${REUSER}`,
      `--purpose=${PURPOSE}`,
      '--agent=dev-alice',
      ...at(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const keyPath = /private key\s+(\S+\.private\.jwk)/.exec(result.stdout)?.[1] ?? '';
    expect(keyPath).toContain(join(dataDir, 'sandbox-credentials', `${REUSER}-`));
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const privateJwk = JSON.parse(readFileSync(keyPath, 'utf8')) as JWK & { kid: string };
    expect(privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });

    const registry = await openKeyRegistry({ kind: 'sqlite', dataDir });
    let key: Awaited<ReturnType<KeyRegistry['findKey']>>;
    try {
      key = await registry.findKey(privateJwk.kid);
    } finally {
      await registry.close();
    }
    expect(key).toMatchObject({ reuserId: REUSER, status: 'active', algorithm: 'EdDSA' });
    const lifetime = Date.parse(key?.validUntil ?? '') - Date.parse(key?.validFrom ?? '');
    expect(lifetime).toBeGreaterThan(23.9 * 3_600_000);
    expect(lifetime).toBeLessThanOrEqual(24 * 3_600_000 + 1_000);

    const assertion = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(result.stdout)?.[1] ?? '';
    const { payload, protectedHeader } = await jwtVerify(
      assertion,
      await importJWK(key?.publicJwk ?? {}, 'EdDSA'),
      { audience: 'http://127.0.0.1:4000/graphql', issuer: REUSER, subject: REUSER },
    );
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: privateJwk.kid });
    expect(payload).toMatchObject({ purpose: PURPOSE, agent: 'dev-alice' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(result.stdout).toContain(`curl -s 'http://127.0.0.1:4000/graphql'`);
    expect(result.stdout).toContain(`-H 'Authorization: Bearer ${assertion}'`);
    expect(result.stdout).toContain('beneficiaryByFileNumber');

    // The printed command mints fresh assertions from the same key.
    const command = /TOKEN=\$\(npm run --silent passerelle -- (sandbox sign .*)\)$/m.exec(
      result.stdout,
    )?.[1];
    expect(command).toBe(`sandbox sign --key ${keyPath} --purpose ${PURPOSE} --agent dev-alice`);
    const signed = await passerelle([
      'sandbox',
      'sign',
      `--key=${keyPath}`,
      `--purpose=${PURPOSE}`,
      '--agent=dev-alice',
      '--audience=https://sandbox.passerelle.example.org/graphql',
      ...at(),
    ]);
    expect(signed.code).toBe(0);
    const fresh = signed.stdout.trim();
    expect(fresh.split('\n')).toHaveLength(1);
    expect(fresh).not.toBe(assertion);
    const verified = await jwtVerify(fresh, await importJWK(key?.publicJwk ?? {}, 'EdDSA'), {
      audience: 'https://sandbox.passerelle.example.org/graphql',
    });
    expect(verified.payload).toMatchObject({ iss: REUSER, purpose: PURPOSE, agent: 'dev-alice' });
    expect(verified.payload.jti).not.toBe(decodeJwt(assertion).jti);
  }, 120_000);

  it('puts the reason a purpose requires in the assertion', async () => {
    const result = await inProcess(sandboxCommand, [
      'credentials',
      '--reuser=ccas-de-bellerive',
      '--purpose=municipal-social-aid',
      '--reason=CCAS-2026-0042',
      ...at(),
    ]);
    expect(result.code).toBe(0);
    const assertion = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(decodeJwt(assertion)).toMatchObject({
      reason: 'CCAS-2026-0042',
      agent: 'sandbox-developer',
    });
    expect(result.stdout).toContain('--reason CCAS-2026-0042');
    expect(result.stdout).toContain('policy explain municipal-social-aid');
  });

  it('refuses outside the sandbox', async () => {
    vi.stubEnv('PASSERELLE_MODE', 'production');
    const result = await inProcess(sandboxCommand, [
      'credentials',
      `--reuser=${REUSER}`,
      `--purpose=${PURPOSE}`,
      ...at(),
    ]).finally(() => vi.unstubAllEnvs());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'only exists in the sandbox, and PASSERELLE_MODE is "production"',
    );
  });

  it.each([
    [
      'a purpose the re-user does not hold',
      ['credentials', `--reuser=${REUSER}`, '--purpose=school-canteen-pricing'],
      `re-user ${REUSER} does not hold the purpose "school-canteen-pricing"; it holds: ${PURPOSE}`,
    ],
    [
      'a purpose that requires a reason, without one',
      ['credentials', '--reuser=ccas-de-bellerive', '--purpose=municipal-social-aid'],
      'purpose municipal-social-aid requires a file or case reference in every request: add --reason <ref>',
    ],
    [
      'an unknown re-user',
      ['credentials', '--reuser=nobody', `--purpose=${PURPOSE}`],
      'unknown re-user "nobody"',
    ],
    [
      'no purpose',
      ['credentials', `--reuser=${REUSER}`],
      `name the purpose with --purpose; ${REUSER} holds`,
    ],
    [
      'an audience that is not a URL',
      ['credentials', `--reuser=${REUSER}`, `--purpose=${PURPOSE}`, '--audience=gateway'],
      "--audience must be the gateway's http:// or https:// URL",
    ],
    [
      'sign without a key',
      ['sign', `--purpose=${PURPOSE}`],
      'give the private key with --key <file>',
    ],
    [
      'sign with a public key',
      ['sign', '--key=KEYS/ccas.public.jwk', `--purpose=${PURPOSE}`],
      'is not a private key with its "kid"',
    ],
    [
      'sign with a key never registered',
      ['sign', '--key=KEYS/unregistered.private.jwk', `--purpose=${PURPOSE}`],
      'is not registered in',
    ],
  ])('refuses %s (exit 2)', async (_case, args, message) => {
    const result = await inProcess(sandboxCommand, [
      ...args.map((arg) => arg.replace('KEYS', keysDir)),
      ...at(),
    ]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });
});

describe('passerelle sandbox sign after a revocation', () => {
  it('refuses a key revoked since, pointing to new credentials', async () => {
    const created = await inProcess(sandboxCommand, [
      'credentials',
      '--reuser=region-val-de-lys',
      '--purpose=jobseeker-mobility-aid',
      ...at(),
    ]);
    expect(created.code).toBe(0);
    const keyPath = /private key\s+(\S+\.private\.jwk)/.exec(created.stdout)?.[1] ?? '';
    const { kid } = JSON.parse(readFileSync(keyPath, 'utf8')) as { kid: string };
    expect((await inProcess(keyCommand, ['revoke', kid, ...at()])).code).toBe(0);
    const refused = await inProcess(sandboxCommand, [
      'sign',
      `--key=${keyPath}`,
      '--purpose=jobseeker-mobility-aid',
      ...at(),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `the key ${kid} is revoked: create new credentials with passerelle sandbox credentials --reuser region-val-de-lys`,
    );
  });
});

reportPostgresSkipped('key commands');

describe.skipIf(TEST_POSTGRES_URL === undefined)(
  `passerelle key on PostgreSQL${TEST_POSTGRES_URL === undefined ? ` (skipped: ${POSTGRES_SKIP_REASON})` : ''}`,
  () => {
    const url = TEST_POSTGRES_URL ?? '';
    const schema = uniqueSchemaName('key_cli_test');
    const env = { PASSERELLE_DATABASE_URL: url, PASSERELLE_DATABASE_SCHEMA: schema };
    let emptyDataDir: string;

    beforeAll(() => {
      emptyDataDir = join(workspace, 'unused-data');
    });

    afterAll(async () => {
      await dropSchema(url, schema);
    });

    it('keeps keys in PostgreSQL, and a revocation reaches a watching process within a second', async () => {
      const where = [`--data-dir=${emptyDataDir}`, `--policies-dir=${policiesDir}`];
      const publicFile = await keyFiles('pg-commune');
      const added = await passerelle(
        ['key', 'add', '--reuser=commune-de-bellerive', `--jwk=${publicFile}`, ...where],
        env,
      );
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      const kid = pairOf('pg-commune').kid;

      vi.stubEnv('PASSERELLE_DATABASE_URL', url);
      vi.stubEnv('PASSERELLE_DATABASE_SCHEMA', schema);
      const listed = await inProcess(keyCommand, ['list', ...where]).finally(() =>
        vi.unstubAllEnvs(),
      );
      expect(listed.stdout).toMatch(
        new RegExp(`^${kid}\\s+commune-de-bellerive\\s+EdDSA.*usable$`, 'm'),
      );
      expect(() => statSync(join(emptyDataDir, 'registry.sqlite'))).toThrow();

      const registry = await openKeyRegistry({ kind: 'postgres', url, schema });
      try {
        const noticed = new Promise<number>((resolve) => {
          const stop = registry.onChange(() => {
            stop();
            resolve(Date.now());
          });
        });
        const revoked = await passerelle(['key', 'revoke', kid, ...where], env);
        const exited = Date.now();
        expect(revoked.code).toBe(0);
        expect((await noticed) - exited).toBeLessThan(1_000);
        expect((await registry.findKey(kid))?.status).toBe('revoked');
      } finally {
        await registry.close();
      }
    }, 120_000);
  },
);
