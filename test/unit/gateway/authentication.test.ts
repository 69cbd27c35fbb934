import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { base64url, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateReuserKeyPair,
  type ReuserKeyPair,
  signClientAssertion,
} from '../../../gateway/clientAssertion/index.js';
import { type GatewayConfig, parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import {
  type KeyRegistry,
  keyStoreFor,
  openKeyRegistry,
} from '../../../gateway/keyRegistry/index.js';
import { TEST_AGENT, TEST_AUDIENCE, testKeyPairOf } from '../../support/asReuser.js';
import { createPolicyFixture } from '../../support/policyFixture.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  startAgesSubgraph,
  startPeopleSubgraph,
  TINY_PURPOSE,
  TINY_REUSER,
  type TinySubgraph,
} from './tinySubgraphs.js';
import '../../support/context.js';

// Re-user authentication through the running gateway (DOMAIN.md S1-S4):
// every bad assertion gets its own code, replays and revoked keys are
// refused (on another gateway process too, within a second), and the
// lockout is kept per (re-user, address) pair.

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

/** Whether this machine lets a client use these loopback addresses (Linux: all of 127/8). */
async function loopbackUsable(addresses: readonly string[]): Promise<boolean> {
  for (const address of addresses) {
    const server = createNetServer();
    const usable = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, address, () => resolve(true));
    });
    if (usable) await new Promise((resolve) => server.close(resolve));
    if (!usable) return false;
  }
  return true;
}

/** The lockout test calls from two addresses besides 127.0.0.1. */
const CLIENT_ADDRESSES_USABLE = await loopbackUsable(['127.0.0.3', '127.0.0.4']);
if (!CLIENT_ADDRESSES_USABLE) {
  process.stderr.write(
    'skipped: the lockout per address needs 127.0.0.3 and 127.0.0.4 on the loopback interface (Linux has all of 127.0.0.0/8; on macOS: sudo ifconfig lo0 alias 127.0.0.3 up, and 127.0.0.4)\n',
  );
}
const OTHER_REUSER = 'other-reuser';
const FENCED_REUSER = 'fenced-reuser';
const QUERY = '{ person(id: "1") { name } }';

const policies = createPolicyFixture({
  purposes: [
    {
      id: TINY_PURPOSE,
      holders: ['civil-status', 'education'],
      grants: { 'Query.person': {}, 'Person.name': {}, 'Person.age': {} },
    },
    { id: 'not-granted', holders: ['civil-status'], grants: { 'Query.person': {} } },
  ],
  reusers: [
    { id: TINY_REUSER, purposes: [{ purpose: TINY_PURPOSE }] },
    { id: OTHER_REUSER, purposes: [{ purpose: TINY_PURPOSE }] },
    { id: FENCED_REUSER, purposes: [{ purpose: TINY_PURPOSE }], allowedIps: ['10.0.0.0/8'] },
  ],
});
const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-auth-'));

function configFor(subgraphs: TinySubgraph[], env: Record<string, string> = {}): GatewayConfig {
  return parseGatewayConfig(environmentFor(subgraphs, env));
}

function environmentFor(subgraphs: TinySubgraph[], env: Record<string, string> = {}) {
  return {
    PASSERELLE_POLICIES_DIR: policies.dir,
    PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
    PASSERELLE_PORT: '0',
    PASSERELLE_DATA_DIR: dataDir,
    PASSERELLE_SUBGRAPHS: subgraphs.map((subgraph) => `${subgraph.name}=${subgraph.url}`).join(','),
    PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
    PASSERELLE_LOG_LEVEL: 'silent',
    PASSERELLE_AUTH_MAX_FAILURES: '1000',
    ...env,
  };
}

let subgraphs: TinySubgraph[];
let gateway: RunningGateway;
let registry: KeyRegistry;

beforeAll(async () => {
  subgraphs = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
  gateway = await startTestGateway(configFor(subgraphs));
  registry = await openKeyRegistry(keyStoreFor({ dataDir }));
});

afterAll(async () => {
  await registry?.close();
  await gateway?.stop();
  await Promise.all((subgraphs ?? []).map((subgraph) => subgraph.stop()));
  policies.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

type AnswerBody = {
  data?: unknown;
  errors?: { message: string; extensions: Record<string, unknown> }[];
  reuser?: string;
  keys?: { kid: string; state: string }[];
};
type Answer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AnswerBody;
};

/** POSTs JSON from a chosen loopback source address (127.0.0.0/8 all reach the gateway). */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const call = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: JSON.parse(text),
          }),
        );
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

function ask(token: string, options: { url?: string; from?: string } = {}): Promise<Answer> {
  return post(
    options.url ?? gateway.url,
    { query: QUERY },
    { authorization: `Bearer ${token}` },
    options.from,
  );
}

function sign(
  keyPair: ReuserKeyPair,
  claims: Partial<{ reuserId: string; purpose: string; audience: string; agent: string }> = {},
  options: Parameters<typeof signClientAssertion>[2] = {},
): Promise<string> {
  return signClientAssertion(
    keyPair.privateJwk,
    {
      reuserId: claims.reuserId ?? TINY_REUSER,
      audience: claims.audience ?? TEST_AUDIENCE,
      purpose: claims.purpose ?? TINY_PURPOSE,
      agent: claims.agent ?? TEST_AGENT,
    },
    options,
  );
}

/** A key pair registered for `reuser` in the gateway's registry. */
async function registeredKey(reuser = TINY_REUSER, validity?: { validUntil: Date }) {
  const keyPair = await generateReuserKeyPair('EdDSA');
  await registry.addKey(reuser, keyPair.publicJwk, validity);
  return keyPair;
}

function expectRefusal(answer: Answer, status: number, code: string, reason?: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
  if (reason !== undefined) expect(answer.body.errors?.[0]?.extensions.reason).toBe(reason);
  expect(answer.body.errors?.[0]?.message.length).toBeGreaterThan(30);
  if (status === 401) expect(answer.headers['www-authenticate']).toBe('Bearer');
}

const now = () => Math.floor(Date.now() / 1000);

/** A JWT with these header and claims, and `signature` as its third part. */
function rawJwt(header: object, claims: object, signature = ''): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(claims)}.${signature}`;
}

async function claimsFor(keyPair: ReuserKeyPair) {
  return {
    iss: TINY_REUSER,
    sub: TINY_REUSER,
    aud: TEST_AUDIENCE,
    iat: now(),
    exp: now() + 60,
    jti: crypto.randomUUID(),
    purpose: TINY_PURPOSE,
    agent: TEST_AGENT,
    kid: keyPair.kid,
  };
}

describe('a valid client assertion', () => {
  it('is served, and the same token may be sent again within its lifetime', async () => {
    const token = await sign(await testKeyPairOf(TINY_REUSER));
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await ask(token);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { person: { name: 'Ada' } } });
    }
  });

  it('is accepted signed with ES256 too', async () => {
    const keyPair = await generateReuserKeyPair('ES256');
    await registry.addKey(TINY_REUSER, keyPair.publicJwk);
    expect((await ask(await sign(keyPair))).status).toBe(200);
  });
});

describe('each bad assertion gets its own code', () => {
  it('no Authorization header: in the sandbox, data needs one (schema only without)', async () => {
    const answer = await post(gateway.url, { query: QUERY }, {});
    expectRefusal(answer, 400, 'BAD_REQUEST');
    expect(answer.body.errors?.[0]?.message).toMatch(/Authorization: Bearer/);
  });

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz', 'NOT_BEARER'],
    ['a token that is not a JWT', 'Bearer not-a-jwt', 'MALFORMED'],
  ])('%s: 401 AUTH_INVALID', async (_, authorization, reason) => {
    const answer = await post(gateway.url, { query: QUERY }, { authorization });
    expectRefusal(answer, 401, 'AUTH_INVALID', reason);
  });

  it('alg "none": 401 AUTH_INVALID', async () => {
    const keyPair = await testKeyPairOf(TINY_REUSER);
    const { kid: _, ...claims } = await claimsFor(keyPair);
    const token = rawJwt({ alg: 'none', kid: keyPair.kid, typ: 'JWT' }, claims);
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'ALGORITHM_NOT_ALLOWED');
  });

  it('HS256 keyed with the public key (algorithm confusion): 401 AUTH_INVALID', async () => {
    const keyPair = await testKeyPairOf(TINY_REUSER);
    const { kid: _, ...claims } = await claimsFor(keyPair);
    const secret = new TextEncoder().encode(JSON.stringify(keyPair.publicJwk));
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: keyPair.kid })
      .sign(secret);
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'ALGORITHM_NOT_ALLOWED');
  });

  it('a key of the wrong type (ES256 header, Ed25519 key registered): 401 AUTH_INVALID', async () => {
    const registered = await testKeyPairOf(TINY_REUSER);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const { kid: _, ...claims } = await claimsFor(registered);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: registered.kid })
      .sign(privateKey);
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'WRONG_KEY_TYPE');
  });

  it('a signature by another key under a registered kid: 401 AUTH_INVALID', async () => {
    const registered = await testKeyPairOf(TINY_REUSER);
    const impostor = await generateReuserKeyPair('EdDSA');
    const token = await sign({
      ...impostor,
      privateJwk: { ...impostor.privateJwk, kid: registered.kid },
    });
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'BAD_SIGNATURE');
  });

  it('a wrong audience: 401 AUTH_INVALID', async () => {
    const token = await sign(await testKeyPairOf(TINY_REUSER), {
      audience: 'https://another-gateway.example/graphql',
    });
    const answer = await ask(token);
    expectRefusal(answer, 401, 'AUTH_INVALID', 'WRONG_AUDIENCE');
    expect(answer.body.errors?.[0]?.message).toContain(TEST_AUDIENCE);
  });

  it('an expired assertion: 401 AUTH_EXPIRED', async () => {
    const token = await sign(
      await testKeyPairOf(TINY_REUSER),
      {},
      {
        now: new Date(Date.now() - 400_000),
      },
    );
    expectRefusal(await ask(token), 401, 'AUTH_EXPIRED');
  });

  it('an assertion issued in the future: 401 AUTH_INVALID', async () => {
    const token = await sign(
      await testKeyPairOf(TINY_REUSER),
      {},
      {
        now: new Date(Date.now() + 120_000),
      },
    );
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'ISSUED_IN_FUTURE');
  });

  it('a lifetime over five minutes: 401 AUTH_INVALID', async () => {
    const keyPair = await testKeyPairOf(TINY_REUSER);
    const { kid: _, ...claims } = await claimsFor(keyPair);
    const token = await new SignJWT({ ...claims, exp: now() + 3600 })
      .setProtectedHeader({ alg: 'EdDSA', kid: keyPair.kid })
      .sign(await importJWK(keyPair.privateJwk, 'EdDSA'));
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'LIFETIME_TOO_LONG');
  });

  it('no purpose claim: 401 AUTH_INVALID', async () => {
    const keyPair = await testKeyPairOf(TINY_REUSER);
    const { kid: _, purpose: __, ...claims } = await claimsFor(keyPair);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: keyPair.kid })
      .sign(await importJWK(keyPair.privateJwk, 'EdDSA'));
    expectRefusal(await ask(token), 401, 'AUTH_INVALID', 'CLAIM_MISSING');
  });

  it('an unknown key id: 401 AUTH_UNKNOWN_KEY', async () => {
    const token = await sign(await generateReuserKeyPair('EdDSA'));
    expectRefusal(await ask(token), 401, 'AUTH_UNKNOWN_KEY');
  });

  it("another re-user's key: 403 KEY_NOT_OWNED", async () => {
    const token = await sign(await testKeyPairOf(TINY_REUSER), { reuserId: OTHER_REUSER });
    expectRefusal(await ask(token), 403, 'KEY_NOT_OWNED');
  });

  it('a revoked key: 401 AUTH_KEY_REVOKED', async () => {
    const keyPair = await registeredKey();
    await registry.revokeKey(keyPair.kid, 'admin', 'test');
    expectRefusal(await ask(await sign(keyPair)), 401, 'AUTH_KEY_REVOKED', 'KEY_REVOKED');
  });

  it('an expired key: 401 AUTH_KEY_REVOKED', async () => {
    const keyPair = await registeredKey(TINY_REUSER, { validUntil: new Date(Date.now() + 1_500) });
    await sleep(1_600);
    expectRefusal(await ask(await sign(keyPair)), 401, 'AUTH_KEY_REVOKED', 'KEY_EXPIRED');
  });

  it('a purpose not granted to the re-user: 403 PURPOSE_NOT_GRANTED', async () => {
    const token = await sign(await testKeyPairOf(TINY_REUSER), { purpose: 'not-granted' });
    expectRefusal(await ask(token), 403, 'PURPOSE_NOT_GRANTED');
  });

  it('an address outside the re-user allow-list: 403 IP_NOT_ALLOWED', async () => {
    const token = await sign(await testKeyPairOf(FENCED_REUSER), { reuserId: FENCED_REUSER });
    const answer = await ask(token);
    expectRefusal(answer, 403, 'IP_NOT_ALLOWED');
    expect(answer.body.errors?.[0]?.message).toContain('127.0.0.1');
  });

  it('an assertion id used with another token: 401 AUTH_REPLAYED', async () => {
    const keyPair = await testKeyPairOf(TINY_REUSER);
    const jti = crypto.randomUUID();
    expect((await ask(await sign(keyPair, {}, { jti }))).status).toBe(200);
    const replay = await sign(keyPair, { agent: 'someone-else' }, { jti });
    expectRefusal(await ask(replay), 401, 'AUTH_REPLAYED');
  });
});

describe('revocation on another gateway process sharing the store', () => {
  let second: ChildProcess | undefined;

  afterAll(async () => {
    if (second !== undefined && second.exitCode === null) {
      second.kill('SIGTERM');
      await once(second, 'exit');
    }
  });

  it('refuses a revoked key within a second, even a token it had verified and cached', async () => {
    second = fork(join(REPOSITORY, 'gateway/main.ts'), [], {
      cwd: REPOSITORY,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ...environmentFor(subgraphs) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const [ready] = (await once(second, 'message')) as [{ type: string; url: string }];
    expect(ready.type).toBe('ready');

    const keyPair = await registeredKey();
    const token = await sign(keyPair);
    expect((await ask(token, { url: ready.url })).status).toBe(200);

    // Self-revocation through the first gateway, signed with the key itself.
    const revocation = await sign(keyPair, { purpose: 'key-management' });
    const revoked = await post(
      gateway.url.replace(/\/graphql$/, '/keys/revoke'),
      { kid: keyPair.kid, reason: 'leaked' },
      { authorization: `Bearer ${revocation}` },
    );
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const revokedAt = Date.now();

    let answer = await ask(token, { url: ready.url });
    while (answer.status === 200 && Date.now() - revokedAt < 5_000) {
      await sleep(20);
      answer = await ask(token, { url: ready.url });
    }
    const elapsedMs = Date.now() - revokedAt;
    expectRefusal(answer, 401, 'AUTH_KEY_REVOKED', 'KEY_REVOKED');
    // The registry's change detection runs every 250 ms: one second is the promise.
    expect(elapsedMs).toBeLessThan(1_500);
  });
});

describe("a re-user's own keys", () => {
  const keysUrl = () => gateway.url.replace(/\/graphql$/, '/keys');

  function getKeys(token: string | undefined): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const call = httpRequest(
        keysUrl(),
        { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: JSON.parse(text),
            }),
          );
        },
      );
      call.on('error', reject);
      call.end();
    });
  }

  it('lists them, with their state, and never another re-user keys', async () => {
    const keyPair = await registeredKey(OTHER_REUSER);
    const answer = await getKeys(
      await sign(keyPair, { reuserId: OTHER_REUSER, purpose: 'key-management' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.reuser).toBe(OTHER_REUSER);
    expect((answer.body.keys ?? []).map((key: { kid: string }) => key.kid)).toContain(keyPair.kid);
    expect(
      (answer.body.keys ?? []).every((key: { state: string }) => typeof key.state === 'string'),
    ).toBe(true);
    const tinyKid = (await testKeyPairOf(TINY_REUSER)).kid;
    expect((answer.body.keys ?? []).map((key: { kid: string }) => key.kid)).not.toContain(tinyKid);
  });

  it('refuses without credentials, and with a data purpose', async () => {
    expectRefusal(await getKeys(undefined), 401, 'AUTH_MISSING');
    const dataToken = await sign(await testKeyPairOf(TINY_REUSER));
    expectRefusal(await getKeys(dataToken), 401, 'AUTH_INVALID', 'WRONG_PURPOSE');
  });

  it("refuses to revoke another re-user's key, and says nothing about it", async () => {
    const theirs = await registeredKey(OTHER_REUSER);
    const token = await sign(await testKeyPairOf(TINY_REUSER), { purpose: 'key-management' });
    const answer = await post(
      `${keysUrl()}/revoke`,
      { kid: theirs.kid },
      { authorization: `Bearer ${token}` },
    );
    expectRefusal(answer, 403, 'KEY_NOT_OWNED');
    expect((await registry.findKey(theirs.kid))?.status).toBe('active');
  });

  it('refuses a revocation request without a kid', async () => {
    const token = await sign(await testKeyPairOf(TINY_REUSER), { purpose: 'key-management' });
    const answer = await post(
      `${keysUrl()}/revoke`,
      { reason: 'x' },
      { authorization: `Bearer ${token}` },
    );
    expectRefusal(answer, 400, 'BAD_REQUEST');
  });

  it('refuses a data request declaring the key-management purpose', async () => {
    const token = await sign(await testKeyPairOf(TINY_REUSER), { purpose: 'key-management' });
    expectRefusal(await ask(token), 403, 'PURPOSE_UNKNOWN');
  });
});

describe('lockout after repeated failures', () => {
  let locking: RunningGateway;

  beforeAll(async () => {
    locking = await startTestGateway(
      configFor(subgraphs, {
        PASSERELLE_AUTH_MAX_FAILURES: '3',
        PASSERELLE_AUTH_FAILURE_WINDOW_SECONDS: '60',
        PASSERELLE_AUTH_LOCKOUT_SECONDS: '2',
      }),
    );
  });

  afterAll(async () => {
    await locking?.stop();
  });

  it.skipIf(!CLIENT_ADDRESSES_USABLE)(
    'locks the (re-user, address) pair, not the re-user from elsewhere, and releases it',
    async () => {
      const keyPair = await testKeyPairOf(OTHER_REUSER);
      await registry.addKey(OTHER_REUSER, keyPair.publicJwk).catch(() => undefined);
      const good = () => sign(keyPair, { reuserId: OTHER_REUSER });
      const bad = () =>
        sign(keyPair, { reuserId: OTHER_REUSER, audience: 'https://elsewhere.example' });
      const from = '127.0.0.3';

      expect((await ask(await good(), { url: locking.url, from })).status).toBe(200);
      for (let failure = 0; failure < 3; failure++) {
        expectRefusal(await ask(await bad(), { url: locking.url, from }), 401, 'AUTH_INVALID');
      }
      const locked = await ask(await good(), { url: locking.url, from });
      expectRefusal(locked, 429, 'AUTH_LOCKED');
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(2);

      // The same re-user from another address is not affected.
      expect((await ask(await good(), { url: locking.url, from: '127.0.0.4' })).status).toBe(200);

      await sleep(retryAfter * 1000 + 200);
      expect((await ask(await good(), { url: locking.url, from })).status).toBe(200);
    },
  );
});
