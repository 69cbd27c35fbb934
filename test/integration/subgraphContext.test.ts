import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SAMPLE_CLAIMS, sampleRequest } from '../../gateway/cli/sampleQuery.js';
import { createContextSigner } from '../../gateway/contextToken/index.js';
import { NAMED_PEOPLE } from '../../subgraphs/sandbox/index.js';
import { asReuser } from '../support/asReuser.js';
import '../support/context.js';
import { createTestContextKey, purposeClaims } from '../support/gatewayContext.js';
import { type GraphQLResponse, postGraphQL } from '../support/graphql.js';
import { TEST_DATASET } from '../support/sandboxDataset.js';
import { type RunningSystem, startSystem } from '../support/system.js';

// The running system, started as a user starts it: the data holders answer
// the gateway, and only the gateway. A direct call, with whatever headers
// or a token not signed by the gateway for that very holder, gets 401.

const PURPOSE = 'secondary-school-grant';
const REUSER = 'departement-de-la-haute-vallee';
const QUOTIENT = `{ beneficiaryByFileNumber(fileNumber: "${NAMED_PEOPLE.singleParent.benefitsFileNumber}") { familyBenefits { familyQuotient(month: "2026-11") { month value } } } }`;

let system: RunningSystem;
let familyBenefitsUrl: string;

beforeAll(async () => {
  system = await startSystem({ dataDir: inject('sandboxDataDir'), ...TEST_DATASET });
  familyBenefitsUrl = system.holderUrls['family-benefits'] ?? '';
});

afterAll(async () => {
  expect(await system.stop()).toBe(0);
});

/** The gateway's private key, which the launcher generated (or found) in the data folder. */
async function gatewayPrivateKey(): Promise<JWK> {
  const file = join(inject('sandboxDataDir'), 'keys', 'gateway-context.private.jwk');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  return { ...jwk, kid: await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }) };
}

function expectRefused(response: GraphQLResponse<unknown>, code: string): void {
  expect(response.status).toBe(401);
  expect(response.body.data).toBeUndefined();
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors?.[0]?.extensions?.code).toBe(code);
  expect(response.body.errors?.[0]?.message).toContain('only answers the passerelle gateway');
}

describe('a data holder called directly', () => {
  it('refuses a request without the gateway context: 401 CONTEXT_MISSING', async () => {
    expectRefused(await postGraphQL(familyBenefitsUrl, QUOTIENT), 'CONTEXT_MISSING');
  });

  it('refuses the purpose headers it used to trust: 401 CONTEXT_MISSING', async () => {
    const response = await postGraphQL(
      familyBenefitsUrl,
      QUOTIENT,
      {},
      {
        'passerelle-purpose': PURPOSE,
        'passerelle-reuser': REUSER,
        'passerelle-request-id': 'forged',
        'passerelle-policy-version': 'forged',
      },
    );
    expectRefused(response, 'CONTEXT_MISSING');
  });

  it('refuses a context signed with any other key: 401 CONTEXT_INVALID', async () => {
    const forger = await createTestContextKey();
    const response = await postGraphQL(
      familyBenefitsUrl,
      QUOTIENT,
      {},
      await forger.headersFor('family-benefits', purposeClaims(PURPOSE, REUSER)),
    );
    expectRefused(response, 'CONTEXT_INVALID');
  });

  it("refuses the gateway's context for another data holder: 401 CONTEXT_INVALID", async () => {
    const gateway = await createContextSigner(await gatewayPrivateKey());
    const { token } = await gateway.sign('education', purposeClaims(PURPOSE, REUSER));
    const response = await postGraphQL(
      familyBenefitsUrl,
      QUOTIENT,
      {},
      {
        'passerelle-context': token,
      },
    );
    expectRefused(response, 'CONTEXT_INVALID');
    expect(response.body.errors?.[0]?.extensions?.reason).toBe(
      'it is not meant for data holder "family-benefits"',
    );
  });

  it('keeps /health open', async () => {
    const response = await fetch(familyBenefitsUrl.replace(/\/graphql$/, '/health'));
    expect(response.status).toBe(200);
  });
});

describe('the gateway', () => {
  it('still serves the sample query, through data holders that check its context', async () => {
    const sample = sampleRequest(
      TEST_DATASET.asOf,
      await asReuser(SAMPLE_CLAIMS.reuserId, SAMPLE_CLAIMS.purposeId, {
        agent: SAMPLE_CLAIMS.agent,
        audience: system.gatewayUrl,
      }),
    );
    const response = await postGraphQL<{
      beneficiaryByFileNumber: { familyBenefits: { familyQuotient: { value: number } } };
    }>(system.gatewayUrl, sample.query, sample.variables, { ...sample.headers });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.beneficiaryByFileNumber.familyBenefits.familyQuotient.value).toBe(
      380,
    );
  });

  it('answers /ready: its probes carry a service context the data holders accept', async () => {
    const response = await fetch(system.gatewayUrl.replace(/\/graphql$/, '/ready'));
    expect(response.status).toBe(200);
  });
});
