import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { fixedHolderPolicies } from '../../../subgraphs/kit/index.js';
import { NAMED_PEOPLE } from '../../../subgraphs/sandbox/index.js';
import { asReuser, TEST_AUDIENCE } from '../../support/asReuser.js';
import { purposeClaims } from '../../support/gatewayContext.js';
import { createPolicyFixture } from '../../support/policyFixture.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';
import {
  createTestCertificates,
  requestOverTls,
  type TestCertificates,
  tlsTestsUnavailable,
} from '../../support/testCertificates.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  fixturePolicies,
  startTestHolder,
  type TestHolder,
  testContextKey,
} from '../subgraphs/harness.js';

// Encryption in transit (DOMAIN.md S6): the gateway over HTTPS, and mutual
// TLS between the gateway and a data holder, with certificates made for the
// test by openssl. Mutual TLS adds to the signed context; it replaces nothing.

const unavailable = tlsTestsUnavailable();
if (unavailable !== undefined)
  process.stdout.write(`transport security tests skipped: ${unavailable}\n`);

const PURPOSE = 'quotient-over-tls';
const REUSER = 'tls-reuser';
const QUOTIENT = `{ beneficiaryByFileNumber(fileNumber: "${NAMED_PEOPLE.singleParent.benefitsFileNumber}") { familyBenefits { familyQuotient(month: "2026-11") { value } } } }`;

describe.skipIf(unavailable !== undefined)('HTTPS and mutual TLS', () => {
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
  let certificates: TestCertificates;
  let keysDir: string;
  let holder: TestHolder;
  let gateway: RunningGateway;
  let gatewayEnv: Record<string, string>;

  beforeAll(async () => {
    certificates = createTestCertificates();
    const read = certificates.read;
    holder = await startTestHolder(
      'family-benefits',
      fixedHolderPolicies(fixturePolicies('family-benefits', policies.dir)),
      {
        tls: {
          cert: read(certificates.serverCertFile),
          key: read(certificates.serverKeyFile),
          clientCa: read(certificates.caFile),
        },
      },
    );
    // The operator gives the gateway the key pair the holder trusts.
    keysDir = mkdtempSync(join(tmpdir(), 'passerelle-operator-keys-'));
    const privateKeyFile = join(keysDir, 'context.private.jwk');
    writeFileSync(privateKeyFile, JSON.stringify((await testContextKey()).key.privateJwk), {
      mode: 0o600,
    });
    gatewayEnv = {
      PASSERELLE_PORT: '0',
      PASSERELLE_SUBGRAPHS: `family-benefits=${holder.url}`,
      PASSERELLE_DATA_DIR: keysDir,
      PASSERELLE_CONTEXT_PRIVATE_KEY_FILE: privateKeyFile,
      PASSERELLE_POLICIES_DIR: policies.dir,
      PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      PASSERELLE_AS_OF: TEST_DATASET.asOf,
      PASSERELLE_LOG_LEVEL: 'silent',
      PASSERELLE_STARTUP_TIMEOUT_MS: '5000',
      PASSERELLE_TLS_CERT_FILE: certificates.serverCertFile,
      PASSERELLE_TLS_KEY_FILE: certificates.serverKeyFile,
      PASSERELLE_SUBGRAPH_TLS_CA_FILE: certificates.caFile,
      PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE: certificates.clientCertFile,
      PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE: certificates.clientKeyFile,
    };
    gateway = await startTestGateway(parseGatewayConfig(gatewayEnv));
  });

  afterAll(async () => {
    await gateway?.stop();
    await holder?.stop();
    certificates?.remove();
    if (keysDir !== undefined) rmSync(keysDir, { recursive: true, force: true });
    policies.remove();
  });

  it('serves re-users over HTTPS, through a data holder that requires the gateway certificate', async () => {
    expect(holder.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const response = await requestOverTls(
      gateway.url,
      { ca: certificates.read(certificates.caFile) },
      { body: { query: QUOTIENT }, headers: { ...(await asReuser(REUSER, PURPOSE)) } },
    );
    expect(response.body).toEqual({
      data: { beneficiaryByFileNumber: { familyBenefits: { familyQuotient: { value: 380 } } } },
    });
  });

  it('probes the data holder over mutual TLS for /ready', async () => {
    const ready = await requestOverTls(gateway.url.replace(/\/graphql$/, '/ready'), {
      ca: certificates.read(certificates.caFile),
    });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready' });
  });

  it('answers no plain HTTP on its HTTPS port', async () => {
    const plain = await fetch(gateway.url.replace(/^https/, 'http'), { method: 'POST' }).catch(
      () => undefined,
    );
    expect(plain?.ok ?? false).toBe(false);
  });

  it('refuses, at the TLS handshake, a client without a certificate', async () => {
    const tokenHeaders = await (await testContextKey()).headersFor(
      'family-benefits',
      purposeClaims(PURPOSE, REUSER),
    );
    await expect(
      requestOverTls(
        holder.url,
        { ca: certificates.read(certificates.caFile) },
        { body: { query: QUOTIENT }, headers: tokenHeaders },
      ),
    ).rejects.toThrow();
  });

  it('refuses a client certificate from another CA', async () => {
    await expect(
      requestOverTls(
        holder.url,
        {
          ca: certificates.read(certificates.caFile),
          cert: certificates.read(certificates.strangerCertFile),
          key: certificates.read(certificates.strangerKeyFile),
        },
        { body: { query: '{ __typename }' } },
      ),
    ).rejects.toThrow();
  });

  it("still wants the gateway's signed context from a client with the right certificate", async () => {
    const response = await requestOverTls(
      holder.url,
      {
        ca: certificates.read(certificates.caFile),
        cert: certificates.read(certificates.clientCertFile),
        key: certificates.read(certificates.clientKeyFile),
      },
      { body: { query: QUOTIENT } },
    );
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ errors: [{ extensions: { code: 'CONTEXT_MISSING' } }] });
  });

  it('cannot start without its client certificate when the data holders require one', async () => {
    const {
      PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE: _cert,
      PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE: _key,
      ...withoutClientCertificate
    } = gatewayEnv;
    await expect(
      startTestGateway(
        parseGatewayConfig({ ...withoutClientCertificate, PASSERELLE_STARTUP_TIMEOUT_MS: '1000' }),
      ),
    ).rejects.toThrow(/Could not read the schema of 1 subgraph/);
  });
});
