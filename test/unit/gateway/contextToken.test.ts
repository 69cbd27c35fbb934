import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disclosure } from '../../../gateway/accessRecording/index.js';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import {
  type ContextClaims,
  ContextKeyError,
  type ContextKeyFiles,
  type ContextSigner,
  createContextSigner,
  ensureGatewayContextKey,
} from '../../../gateway/contextToken/index.js';
import type { GatewayContext } from '../../../gateway/requestContext/index.js';
import {
  createSubgraphContextTokens,
  UnboundSubgraphFetchError,
} from '../../../gateway/subgraphClient/index.js';
import { SubjectTally } from '../../../gateway/subjects/index.js';
import type { PolicySet } from '../../../policies/engine/index.js';
import {
  createGatewayContextVerifier,
  defaultGatewayPublicKeyFile,
  loadGatewayPublicKeys,
} from '../../../subgraphs/kit/index.js';

// The gateway's context key pair on disk, and the tokens its subgraph calls
// carry. The kit's own checks are in test/unit/kit/gatewayContext.test.ts.

let dataDir: string;
let files: ContextKeyFiles;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'passerelle-keys-'));
  files = parseGatewayConfig({
    PASSERELLE_SUBGRAPHS: 'tax=http://127.0.0.1:1/graphql',
    PASSERELLE_DATA_DIR: dataDir,
  }).contextKey;
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the gateway context key pair', () => {
  it('is generated at the first start into <dataDir>/keys, the private half readable by its owner only', async () => {
    expect(files).toEqual({
      source: 'generated',
      privateKeyFile: join(dataDir, 'keys', 'gateway-context.private.jwk'),
      publicKeyFile: join(dataDir, 'keys', 'gateway-context.public.jwk'),
    });
    const key = await ensureGatewayContextKey(files);
    expect(key.generated).toBe(true);
    expect(statSync(files.privateKeyFile).mode & 0o777).toBe(0o600);
    const published = JSON.parse(readFileSync(files.publicKeyFile, 'utf8')) as Record<
      string,
      unknown
    >;
    expect(published).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: key.publicJwk.x,
      kid: key.kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is where the data holders look for it by default', () => {
    expect(files.publicKeyFile).toBe(defaultGatewayPublicKeyFile(dataDir));
  });

  it('is read, not replaced, at the next start', async () => {
    const first = await ensureGatewayContextKey(files);
    const second = await ensureGatewayContextKey(files);
    expect(second.generated).toBe(false);
    expect(second.kid).toBe(first.kid);
  });

  it('is generated once when many starts race, every one getting the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => ensureGatewayContextKey(files)));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    expect(keys.filter((key) => key.generated)).toHaveLength(1);
    // No temporary file is left behind.
    expect(readdirSync(join(dataDir, 'keys')).sort()).toEqual([
      'gateway-context.private.jwk',
      'gateway-context.public.jwk',
    ]);
  });

  it('republishes a public key that does not match the private one', async () => {
    const key = await ensureGatewayContextKey(files);
    writeFileSync(files.publicKeyFile, '{"kty":"OKP","crv":"Ed25519","x":"stale","kid":"stale"}');
    await ensureGatewayContextKey(files);
    expect(JSON.parse(readFileSync(files.publicKeyFile, 'utf8'))).toMatchObject({ kid: key.kid });
  });

  it("uses the operator's key file, and never generates one in its place", async () => {
    const generated = await ensureGatewayContextKey(files);
    const operator = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: 'tax=http://127.0.0.1:1/graphql',
      PASSERELLE_DATA_DIR: dataDir,
      PASSERELLE_CONTEXT_PRIVATE_KEY_FILE: files.privateKeyFile,
      PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: join(dataDir, 'published.jwk'),
    }).contextKey;
    expect(operator.source).toBe('operator');
    expect((await ensureGatewayContextKey(operator)).kid).toBe(generated.kid);
    expect(readFileSync(join(dataDir, 'published.jwk'), 'utf8')).toContain(generated.kid);

    const missing = { ...operator, privateKeyFile: join(dataDir, 'absent.jwk') };
    await expect(ensureGatewayContextKey(missing)).rejects.toThrow(ContextKeyError);
    await expect(ensureGatewayContextKey(missing)).rejects.toThrow(
      /PASSERELLE_CONTEXT_PRIVATE_KEY_FILE names .*absent\.jwk, which does not exist/,
    );
  });

  it('refuses a key file that is not a private Ed25519 JWK', async () => {
    await ensureGatewayContextKey(files);
    writeFileSync(files.privateKeyFile, readFileSync(files.publicKeyFile));
    await expect(ensureGatewayContextKey(files)).rejects.toThrow(/private Ed25519 JWK/);
    writeFileSync(files.privateKeyFile, 'not json');
    await expect(ensureGatewayContextKey(files)).rejects.toThrow(/is not JSON/);
  });

  it('signs tokens that a data holder verifies with the published public key file', async () => {
    const key = await ensureGatewayContextKey(files);
    const signer = await createContextSigner(key.privateJwk);
    const claims: ContextClaims = { scope: 'service' };
    const { token } = await signer.sign('tax', claims);
    const keys = await loadGatewayPublicKeys(files.publicKeyFile);
    expect(await createGatewayContextVerifier(keys, 'tax').verify(token)).toEqual({
      ok: true,
      context: claims,
    });
  });
});

describe('passerelle context-key', () => {
  it('makes the key pair for deployments that start the data holders first', async () => {
    const run = () =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'gateway/cli/main.ts', 'context-key', `--data-dir=${dataDir}`],
        { cwd: fileURLToPath(new URL('../../..', import.meta.url)), env: { ...process.env } },
      );
    const first = await run();
    expect(first.stdout).toMatch(
      new RegExp(
        `gateway context key \\S+ generated; public key for the data holders: ${files.publicKeyFile}`,
      ),
    );
    const second = await run();
    expect(second.stdout).toContain('present');
    expect((await ensureGatewayContextKey(files)).generated).toBe(false);
  });
});

describe('the context tokens of subgraph calls', () => {
  /** A signer counting its signatures, on a clock the test moves. */
  function countingSigner(lifetimeSeconds = 60) {
    const signed: { audience: string; claims: ContextClaims }[] = [];
    const signer: ContextSigner = {
      kid: 'test',
      lifetimeSeconds,
      async sign(audience, claims) {
        signed.push({ audience, claims });
        return { token: `token-${signed.length}`, expiresAt: 0 };
      },
    };
    return { signer, signed };
  }

  function requestContext(caller: GatewayContext['caller']): GatewayContext {
    return {
      requestId: 'request-1',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      mode: 'sandbox',
      subjects: new SubjectTally(),
      disclosure: new Disclosure(),
      today: '2026-11-15',
      policySet: { version: 'v1' } as PolicySet,
      caller,
    };
  }

  const bound = requestContext({
    kind: 'purpose',
    binding: {
      request: {
        mode: 'sandbox',
        reuserId: 'commune-a',
        purposeId: 'identity-check',
        agent: 'agent-7',
        requestId: 'request-1',
        traceId: '0af7651916cd43dd8448eb211c80319c',
      },
      purpose: { id: 'identity-check' },
      reuser: { id: 'commune-a' },
    } as unknown as Extract<GatewayContext['caller'], { kind: 'purpose' }>['binding'],
  });

  it('signs one token per request and subgraph, with the request bound claims', async () => {
    const { signer, signed } = countingSigner();
    const tokens = createSubgraphContextTokens(signer);
    const first = await tokens.forRequest(bound, 'civil-status');
    expect(await tokens.forRequest(bound, 'civil-status')).toBe(first);
    expect(await tokens.forRequest(bound, 'tax')).not.toBe(first);
    expect(signed).toEqual([
      {
        audience: 'civil-status',
        claims: {
          scope: 'purpose',
          purpose: 'identity-check',
          reuser: 'commune-a',
          agent: 'agent-7',
          requestId: 'request-1',
          traceId: '0af7651916cd43dd8448eb211c80319c',
          policyVersion: 'v1',
        },
      },
      expect.objectContaining({ audience: 'tax' }),
    ]);
    // Another request never gets this one's token.
    await tokens.forRequest({ ...bound, requestId: 'request-2' }, 'civil-status');
    expect(signed).toHaveLength(3);
  });

  it('signs again when a kept token would expire within 15 seconds', async () => {
    const { signer, signed } = countingSigner(60);
    let now = 1_000_000;
    const tokens = createSubgraphContextTokens(signer, () => now);
    await tokens.forService('tax');
    now += 44_000;
    await tokens.forService('tax');
    expect(signed).toHaveLength(1);
    now += 2_000;
    await tokens.forService('tax');
    expect(signed).toHaveLength(2);
    expect(signed[1]).toEqual({ audience: 'tax', claims: { scope: 'service' } });
  });

  it('refuses to sign for a request bound to no purpose', async () => {
    const { signer, signed } = countingSigner();
    const tokens = createSubgraphContextTokens(signer);
    const anonymous = requestContext({ kind: 'anonymous', missing: ['Passerelle-Purpose'] });
    await expect(tokens.forRequest(anonymous, 'tax')).rejects.toThrow(UnboundSubgraphFetchError);
    expect(signed).toEqual([]);
  });
});
