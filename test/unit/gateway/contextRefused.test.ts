import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { fixedHolderPolicies } from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import { asReuser, TEST_AUDIENCE } from '../../support/asReuser.js';
import { createTestContextKey, type TestContextKey } from '../../support/gatewayContext.js';
import { postGraphQL } from '../../support/graphql.js';
import { createPolicyFixture } from '../../support/policyFixture.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  fixturePolicies,
  startTestHolder,
  type TestHolder,
  testContextKey,
} from '../subgraphs/harness.js';

// A data holder that does not trust this gateway's key (an operator's
// mistake: the wrong public key file, a key replaced without restarting the
// holders) is an unavailable data holder, named as such; the re-user never
// sees the holder's refusal.

const PURPOSE = 'quotient';
const REUSER = 'commune-a';
const QUOTIENT = `{ beneficiaryByFileNumber(fileNumber: "${NAMED_PEOPLE.singleParent.benefitsFileNumber}") { familyBenefits { familyQuotient(month: "2026-11") { value } } } }`;

const policies = createPolicyFixture({
  purposes: [
    {
      id: PURPOSE,
      holders: ['family-benefits'],
      grants: {
        'Query.beneficiaryByFileNumber': {},
        'Person.familyBenefits': {},
        'FamilyBenefitsFile.familyQuotient': {},
        'FamilyQuotient.value': {},
      },
    },
  ],
  reusers: [{ id: REUSER, purposes: [{ purpose: PURPOSE }] }],
});
const holderPolicies = () => fixedHolderPolicies(fixturePolicies('family-benefits', policies.dir));

let keysDir: string;
let stranger: TestContextKey;
let holder: TestHolder;
let gateway: RunningGateway;

function gatewayConfig(holderUrl: string, startupTimeoutMs = 5_000) {
  return parseGatewayConfig({
    PASSERELLE_PORT: '0',
    PASSERELLE_SUBGRAPHS: `family-benefits=${holderUrl}`,
    PASSERELLE_DATA_DIR: keysDir,
    PASSERELLE_CONTEXT_PRIVATE_KEY_FILE: join(keysDir, 'context.private.jwk'),
    PASSERELLE_POLICIES_DIR: policies.dir,
    PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
    PASSERELLE_AS_OF: TEST_DATASET.asOf,
    PASSERELLE_LOG_LEVEL: 'silent',
    PASSERELLE_STARTUP_TIMEOUT_MS: String(startupTimeoutMs),
  });
}

beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'passerelle-keys-'));
  writeFileSync(
    join(keysDir, 'context.private.jwk'),
    JSON.stringify((await testContextKey()).key.privateJwk),
    { mode: 0o600 },
  );
  stranger = await createTestContextKey();
  holder = await startTestHolder('family-benefits', holderPolicies());
  gateway = await startTestGateway(gatewayConfig(holder.url));
});

afterAll(async () => {
  await gateway?.stop();
  await holder?.stop();
  rmSync(keysDir, { recursive: true, force: true });
  policies.remove();
});

describe("a data holder that does not trust the gateway's key", () => {
  it('stops the gateway from starting, saying why', async () => {
    const distrustful = await startTestHolder('family-benefits', holderPolicies(), {
      key: stranger,
    });
    try {
      await expect(startTestGateway(gatewayConfig(distrustful.url, 1_000))).rejects.toThrow(
        "refused the gateway's signed context (it is signed with a key this data holder does not know)",
      );
    } finally {
      await distrustful.stop();
    }
  });

  it('makes its fields SUBGRAPH_UNAVAILABLE, without passing its refusal on', async () => {
    const served = await postGraphQL(gateway.url, QUOTIENT, {}, await asReuser(REUSER, PURPOSE));
    expect(served.body.errors).toBeUndefined();

    // The holder comes back on the same port, trusting another key.
    const { port } = holder;
    await holder.stop();
    holder = await startTestHolder('family-benefits', holderPolicies(), { key: stranger, port });

    const refused = await postGraphQL(gateway.url, QUOTIENT, {}, await asReuser(REUSER, PURPOSE));
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual([
      'SUBGRAPH_UNAVAILABLE',
    ]);
    expect(JSON.stringify(refused.body)).not.toMatch(
      /CONTEXT_|only answers the passerelle gateway/,
    );

    const ready = await fetch(gateway.url.replace(/\/graphql$/, '/ready'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'not-ready',
      subgraphs: [
        {
          name: 'family-benefits',
          status: 'down',
          reason: "refused the gateway's signed context (HTTP 401)",
        },
      ],
    });
  });
});
