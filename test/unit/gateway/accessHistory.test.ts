import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { asReuser, TEST_AUDIENCE } from '../../support/asReuser.js';
import { createPolicyFixture } from '../../support/policyFixture.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  type RecordingSubgraph,
  startCivilStatus,
  startFamilyBenefits,
} from './purposeSubgraphs.js';
import '../../support/context.js';

// A person's access history (DOMAIN.md T5) through the running gateway: a
// person signs in with the sandbox's identity provider and reads every
// access to their data, with who, why and what, and nothing about anyone else.

const REUSER = 'commune-a';
const policies = createPolicyFixture({
  purposes: [
    {
      id: 'identity-check',
      holders: ['civil-status'],
      grants: {
        'Query.person': {},
        'Person.familyName': {},
        'Person.birthDate': { transform: 'year' },
      },
      requiredClaims: ['agent', 'reason'],
    },
  ],
  reusers: [{ id: REUSER, purposes: [{ purpose: 'identity-check' }] }],
});
const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-history-'));

let civilStatus: RecordingSubgraph;
let familyBenefits: RecordingSubgraph;
let gateway: RunningGateway;
let base: string;

beforeAll(async () => {
  [civilStatus, familyBenefits] = await Promise.all([startCivilStatus(), startFamilyBenefits()]);
  gateway = await startTestGateway(
    parseGatewayConfig({
      PASSERELLE_PORT: '0',
      PASSERELLE_DATA_DIR: dataDir,
      PASSERELLE_SUBGRAPHS: `civil-status=${civilStatus.url},family-benefits=${familyBenefits.url}`,
      PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
      PASSERELLE_LOG_LEVEL: 'silent',
      PASSERELLE_POLICIES_DIR: policies.dir,
      PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      PASSERELLE_AS_OF: '2026-11-15',
    }),
  );
  base = gateway.url.replace(/\/graphql$/, '');
  // Two accesses to person 1 (one of them with person 2), one refused access to person 2 alone.
  const ask = async (query: string, reason: string) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await asReuser(REUSER, 'identity-check', { agent: 'agent-7', reason })),
      },
      body: JSON.stringify({ query }),
    });
  expect((await ask('{ person(id: "1") { familyName } }', 'file-1')).status).toBe(200);
  expect(
    (await ask('{ a: person(id: "1") { birthYear } b: person(id: "2") { familyName } }', 'file-2'))
      .status,
  ).toBe(200);
  expect((await ask('{ person(id: "2") { nickname } }', 'file-3')).status).toBe(403);
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([civilStatus?.stop(), familyBenefits?.stop()]);
  policies.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function tokenFor(person: unknown): Promise<Response> {
  return fetch(`${base}/sandbox-idp/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ person }),
  });
}

async function historyWith(token: string | undefined) {
  const response = await fetch(`${base}/me/accesses`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      accesses?: {
        at: string;
        reuser: { id: string; name: string };
        purpose: { id: string; title: string; legalBasis: string };
        reason?: string;
        data: { field: string; description: string }[];
        requestId: string;
      }[];
      complete?: boolean;
      errors?: { message: string; extensions: { code: string; reason?: string } }[];
    },
  };
}

async function idTokenOf(person: string): Promise<string> {
  const answer = (await (await tokenFor(person)).json()) as { id_token: string };
  return answer.id_token;
}

describe("a person's access history", () => {
  it('lists every access that served their data, newest first, with who, why and what', async () => {
    const history = await historyWith(await idTokenOf('1'));
    expect(history.status).toBe(200);
    expect(history.body.complete).toBe(true);
    const accesses = history.body.accesses ?? [];
    expect(accesses.map((access) => access.reason)).toEqual(['file-2', 'file-1']);
    expect(accesses[0]).toMatchObject({
      reuser: { id: REUSER, name: `Test re-user ${REUSER}` },
      purpose: {
        id: 'identity-check',
        title: 'Test purpose identity-check',
        legalBasis: 'Test fixture, no legal basis',
      },
    });
    expect(accesses[1]?.data.map((entry) => entry.field)).toEqual(['Person.familyName']);
    for (const access of accesses) {
      expect(Date.parse(access.at)).not.toBeNaN();
      expect(access.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('says nothing about anyone else: not their names, not their references', async () => {
    const history = await historyWith(await idTokenOf('1'));
    const text = JSON.stringify(history.body);
    expect(text).not.toContain('Pascal');
    expect(text).not.toContain('Lovelace');
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    // Person 2 sees the shared access, never the refused one (nothing was served).
    const other = await historyWith(await idTokenOf('2'));
    expect(other.body.accesses?.map((access) => access.reason)).toEqual(['file-2']);
    // A person nobody asked about has an empty history.
    expect((await historyWith(await idTokenOf('404'))).body.accesses).toEqual([]);
  });

  it('refuses without a token, naming how to get one in the sandbox', async () => {
    const history = await historyWith(undefined);
    expect(history.status).toBe(401);
    expect(history.headers.get('www-authenticate')).toBe('Bearer');
    expect(history.body.errors?.[0]?.extensions.code).toBe('PERSON_AUTH_MISSING');
    expect(history.body.errors?.[0]?.message).toContain('/sandbox-idp/token');
  });

  it('refuses a token from a provider it does not trust, even claiming the same issuer', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'forged' })
      .setIssuer('https://sandbox-idp.passerelle.invalid')
      .setSubject('1')
      .setAudience('passerelle-access-history')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const history = await historyWith(forged);
    expect(history.status).toBe(401);
    expect(history.body.errors?.[0]?.extensions.code).toBe('PERSON_AUTH_INVALID');
    expect(history.body.accesses).toBeUndefined();

    const stranger = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('https://idp.example')
      .setSubject('1')
      .setAudience('passerelle-access-history')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await historyWith(stranger)).body.errors?.[0]?.extensions.reason).toBe(
      'UNKNOWN_ISSUER',
    );
  });

  it("refuses a re-user's client assertion in place of a person's token", async () => {
    const assertion = (await asReuser(REUSER, 'identity-check')).authorization?.slice(7);
    const history = await historyWith(assertion);
    expect(history.status).toBe(401);
    expect(history.body.errors?.[0]?.extensions.code).toBe('PERSON_AUTH_INVALID');
  });

  it('gives tokens only for a person id, and publishes its keys', async () => {
    expect((await tokenFor({ id: 1 })).status).toBe(400);
    const discovery = (await (
      await fetch(`${base}/sandbox-idp/.well-known/openid-configuration`)
    ).json()) as { issuer: string; jwks_uri: string };
    expect(discovery.issuer).toBe('https://sandbox-idp.passerelle.invalid');
    const jwks = (await (await fetch(`${base}${discovery.jwks_uri}`)).json()) as {
      keys: { d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.d).toBeUndefined();
    expect((await fetch(`${base}/me/accesses`, { method: 'POST' })).status).toBe(405);
  });
});
