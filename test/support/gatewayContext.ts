/**
 * The gateway's signed context, for tests that call data holders directly:
 * a test key pair, and tokens signed with the gateway's own signing module
 * (`gateway/contextToken`), as the gateway would send them.
 */
import {
  type ContextClaims,
  type ContextSigner,
  createContextSigner,
  type GatewayContextKey,
  generateGatewayContextKey,
  type PurposeContextClaims,
} from '../../gateway/contextToken/index.js';
import {
  GATEWAY_CONTEXT_HEADER,
  type GatewayPublicKeys,
  importGatewayPublicKeys,
} from '../../subgraphs/kit/index.js';

export type TestContextKey = {
  key: GatewayContextKey;
  signer: ContextSigner;
  /** What a data holder started in-process checks tokens with. */
  publicKeys: GatewayPublicKeys;
  /** The header of a request to the data holder named `audience`. */
  headersFor(audience: string, claims: ContextClaims): Promise<Record<string, string>>;
};

export async function createTestContextKey(): Promise<TestContextKey> {
  const key = await generateGatewayContextKey();
  const signer = await createContextSigner(key.privateJwk);
  return {
    key,
    signer,
    publicKeys: await importGatewayPublicKeys(key.publicJwk, 'test key'),
    async headersFor(audience, claims) {
      const { token } = await signer.sign(audience, claims);
      return { [GATEWAY_CONTEXT_HEADER]: token };
    },
  };
}

/** The claims of a request bound to `purpose` for `reuser`, as the gateway binds it. */
export function purposeClaims(
  purpose: string,
  reuser: string,
  overrides: Partial<Omit<PurposeContextClaims, 'scope'>> = {},
): PurposeContextClaims {
  return {
    scope: 'purpose',
    purpose,
    reuser,
    agent: 'agent-test-1',
    requestId: 'test-request',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    policyVersion: 'test-policy-version',
    ...overrides,
  };
}
