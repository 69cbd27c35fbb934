import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createContextSigner } from '../../../gateway/contextToken/index.js';
import {
  createGatewayContextVerifier,
  GATEWAY_CONTEXT_HEADER,
  type GatewayContextVerifier,
  importGatewayPublicKeys,
  isServiceOperation,
} from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import '../../support/context.js';
import {
  createTestContextKey,
  purposeClaims,
  type TestContextKey,
} from '../../support/gatewayContext.js';
import { postGraphQL } from '../../support/graphql.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import {
  startTestHolder,
  TEST_REUSER,
  type TestHolder,
  testContextKey,
} from '../subgraphs/harness.js';

// The data holders' side of the gateway-signed context: what the kit
// accepts, what it refuses and with which code, checked against tokens
// signed by the gateway's own signing module.

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const CLAIMS = purposeClaims('canteen-pricing', TEST_REUSER, { reason: 'file-42' });

let gateway: TestContextKey;
let verifier: GatewayContextVerifier;

beforeAll(async () => {
  gateway = await testContextKey();
  verifier = createGatewayContextVerifier(gateway.publicKeys, 'family-benefits');
});

/** A token signed with `gateway`'s key, header and claims as given. */
async function handMade(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: TestContextKey = gateway,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: 'passerelle-gateway',
    aud: 'family-benefits',
    iat: now,
    exp: now + 60,
    jti: 'j',
    ...claims,
  })
    .setProtectedHeader({
      alg: 'EdDSA',
      typ: 'passerelle-context+jwt',
      kid: key.key.kid,
      ...header,
    })
    .sign(await importJWK(key.key.privateJwk, 'EdDSA'));
}

describe('a context signed by the gateway', () => {
  it('verifies in the kit, with every claim the gateway put in', async () => {
    const { token } = await gateway.signer.sign('family-benefits', CLAIMS);
    expect(await verifier.verify(token)).toEqual({ ok: true, context: CLAIMS });
  });

  it('carries a service scope without any purpose', async () => {
    const { token } = await gateway.signer.sign('family-benefits', { scope: 'service' });
    expect(await verifier.verify(token)).toEqual({ ok: true, context: { scope: 'service' } });
  });

  it('lives 60 seconds and names its key', async () => {
    const { token, expiresAt } = await gateway.signer.sign('family-benefits', CLAIMS);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map(
        (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
      );
    expect(header).toEqual({ alg: 'EdDSA', typ: 'passerelle-context+jwt', kid: gateway.key.kid });
    expect(payload).toMatchObject({ iss: 'passerelle-gateway', aud: 'family-benefits' });
    expect(Number(payload?.exp) - Number(payload?.iat)).toBe(60);
    expect(expiresAt).toBe(Number(payload?.exp) * 1000);
    expect(payload?.jti).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a context the kit refuses', () => {
  let other: TestContextKey;

  beforeAll(async () => {
    other = await createTestContextKey();
  });

  const cases: [string, () => Promise<string | undefined>, string, RegExp][] = [
    ['no header at all', async () => undefined, 'CONTEXT_MISSING', /no passerelle-context header/],
    ['an empty header', async () => '', 'CONTEXT_MISSING', /no passerelle-context header/],
    ['text that is not a JWT', async () => 'not-a-token', 'CONTEXT_INVALID', /not a well-formed/],
    [
      'a token signed with another key',
      async () => (await other.signer.sign('family-benefits', CLAIMS)).token,
      'CONTEXT_INVALID',
      /key this data holder does not know/,
    ],
    [
      "a token signed with another key under the gateway's key id",
      () => handMade({ kid: gateway.key.kid }, { ...CLAIMS }, other),
      'CONTEXT_INVALID',
      /signature does not verify/,
    ],
    [
      "another data holder's token",
      async () => (await gateway.signer.sign('tax', CLAIMS)).token,
      'CONTEXT_INVALID',
      /not meant for data holder "family-benefits"/,
    ],
    [
      'an expired token',
      async () => {
        const past = await createContextSigner(gateway.key.privateJwk, {
          now: () => Date.now() - 120_000,
        });
        return (await past.sign('family-benefits', CLAIMS)).token;
      },
      'CONTEXT_INVALID',
      /expired/,
    ],
    [
      'a token dated in the future',
      async () => {
        const future = await createContextSigner(gateway.key.privateJwk, {
          now: () => Date.now() + 120_000,
        });
        return (await future.sign('family-benefits', CLAIMS)).token;
      },
      'CONTEXT_INVALID',
      /dated in the future/,
    ],
    [
      'a token of another type',
      () => handMade({ typ: 'JWT' }, { ...CLAIMS }),
      'CONTEXT_INVALID',
      /not a passerelle-context\+jwt token/,
    ],
    [
      'a token from another issuer',
      () => handMade({}, { ...CLAIMS, iss: 'someone-else' }),
      'CONTEXT_INVALID',
      /not issued by passerelle-gateway/,
    ],
    [
      'a token without jti',
      () => handMade({}, { ...CLAIMS, jti: undefined }),
      'CONTEXT_INVALID',
      /"jti" claim/,
    ],
    [
      'a purpose context without its re-user',
      () => handMade({}, { ...CLAIMS, reuser: undefined }),
      'CONTEXT_INVALID',
      /claims are incomplete \(reuser\)/,
    ],
    [
      'an unknown scope',
      () => handMade({}, { scope: 'admin' }),
      'CONTEXT_INVALID',
      /claims are incomplete/,
    ],
    [
      'an unsigned token (alg none)',
      async () =>
        new UnsecuredJWT({ ...CLAIMS })
          .setIssuer('passerelle-gateway')
          .setAudience('family-benefits')
          .setIssuedAt()
          .setExpirationTime('1m')
          .encode(),
      'CONTEXT_INVALID',
      /not signed with EdDSA/,
    ],
    [
      'a token signed with a shared secret (HS256)',
      async () =>
        new SignJWT({ ...CLAIMS })
          .setProtectedHeader({ alg: 'HS256', typ: 'passerelle-context+jwt', kid: gateway.key.kid })
          .setIssuer('passerelle-gateway')
          .setAudience('family-benefits')
          .setIssuedAt()
          .setExpirationTime('1m')
          .setJti('j')
          .sign(new TextEncoder().encode('a shared secret that nobody should use')),
      'CONTEXT_INVALID',
      /not signed with EdDSA/,
    ],
  ];

  it.each(cases)('%s: %s', async (_name, token, code, reason) => {
    const outcome = await verifier.verify(await token());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.refusal.code).toBe(code);
    expect(outcome.refusal.reason).toMatch(reason);
  });
});

describe('the gateway public key file', () => {
  it('refuses a private key where the public one is expected', async () => {
    await expect(importGatewayPublicKeys(gateway.key.privateJwk, 'key.jwk')).rejects.toThrow(
      /without its private part/,
    );
  });

  it('accepts a JWK Set, for the overlap of a key rotation', async () => {
    const next = await createTestContextKey();
    const keys = await importGatewayPublicKeys(
      { keys: [gateway.key.publicJwk, next.key.publicJwk] },
      'keys.json',
    );
    const rotating = createGatewayContextVerifier(keys, 'family-benefits');
    for (const key of [gateway, next]) {
      const { token } = await key.signer.sign('family-benefits', CLAIMS);
      expect((await rotating.verify(token)).ok).toBe(true);
    }
  });
});

describe('operations a service context may run', () => {
  it.each([
    ['{ _service { sdl } }', true],
    ['{ __typename }', true],
    ['query Probe { __typename _service { __typename sdl } }', true],
    ['{ s: _service { sdl } }', true],
    ['{ _entities(representations: []) { __typename } }', false],
    ['{ beneficiaryByFileNumber(fileNumber: "1") { familyBenefits { fileNumber } } }', false],
    ['{ _service { sdl } __schema { types { name } } }', false],
    ['{ ...F } fragment F on Query { _service { sdl } }', false],
    ['{ _service { sdl @include(if: true) } }', false],
    ['mutation { __typename }', false],
    ['{ _service { sdl }', false],
    [undefined, false],
  ])('%s: %s', (query, allowed) => {
    expect(isServiceOperation(query)).toBe(allowed);
  });
});

describe('a data holder over HTTP', () => {
  let holder: TestHolder;
  const QUOTIENT = `{ beneficiaryByFileNumber(fileNumber: "${NAMED_PEOPLE.singleParent.benefitsFileNumber}") { familyBenefits { familyQuotient(month: "2026-11") { value } } } }`;

  beforeAll(async () => {
    holder = await startTestHolder('family-benefits');
  });

  afterAll(async () => {
    await holder.stop();
  });

  it('answers 401 CONTEXT_MISSING to a direct call, saying it only answers the gateway', async () => {
    const response = await holder.queryWithHeaders(QUOTIENT, {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Passerelle-Context');
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      {
        message: expect.stringMatching(
          /only answers the passerelle gateway.*Send your query to the gateway/,
        ),
        extensions: { code: 'CONTEXT_MISSING', reason: expect.any(String) },
      },
    ]);
  });

  it("answers 401 CONTEXT_INVALID to another holder's token", async () => {
    const response = await holder.queryWithHeaders(
      QUOTIENT,
      await gateway.headersFor('tax', CLAIMS),
    );
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'CONTEXT_INVALID',
      reason: 'it is not meant for data holder "family-benefits"',
    });
  });

  it('serves the purpose a valid context is bound to', async () => {
    const response = await holder.query(QUOTIENT, { purpose: 'canteen-pricing' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: { beneficiaryByFileNumber: { familyBenefits: { familyQuotient: { value: 380 } } } },
      // The person served, for the gateway's subject limits (stripped before the client).
      extensions: { passerelleSubjects: [expect.any(String)] },
    });
  });

  it('lets a service context read the schema and probe', async () => {
    const sdl = await holder.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(sdl.status).toBe(200);
    expect(sdl.body.data?._service.sdl).toContain('type FamilyBenefitsFile');
    expect((await holder.query('{ __typename }')).body).toEqual({
      data: { __typename: 'Query' },
    });
  });

  it.each([
    ['data', QUOTIENT],
    [
      'entities',
      `{ _entities(representations: [{ __typename: "Person", id: "${NAMED_PEOPLE.singleParent.personId}" }]) { ... on Person { familyBenefits { fileNumber } } } }`,
    ],
  ])('refuses %s to a service context with 403 CONTEXT_SCOPE_DENIED', async (_what, query) => {
    const response = await holder.query(query);
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('CONTEXT_SCOPE_DENIED');
    expect(response.body.data).toBeUndefined();
  });

  it('keeps /health open', async () => {
    const response = await fetch(holder.url.replace(/\/graphql$/, '/health'));
    expect(response.status).toBe(200);
  });

  it('refuses before reading the body', async () => {
    const response = await postGraphQL(
      holder.url,
      '{ __typename }',
      {},
      {
        [GATEWAY_CONTEXT_HEADER]: 'forged',
      },
    );
    expect(response.status).toBe(401);
  });
});

describe('a data holder process without the gateway public key', () => {
  it('refuses to start, saying where the key was expected', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'subgraphs/family-benefits/main.ts'],
      {
        cwd: REPOSITORY,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
          PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: '/nonexistent/gateway-context.public.jwk',
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
    const timer = setTimeout(() => child.kill(), 20_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(output).toContain(
      "cannot read the gateway's public key at /nonexistent/gateway-context.public.jwk",
    );
    expect(output).toContain('PASSERELLE_GATEWAY_PUBLIC_KEY_FILE');
  });
});
