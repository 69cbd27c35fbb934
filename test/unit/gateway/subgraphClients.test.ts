import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseGatewayConfig, type SubgraphFetcherKind } from '../../../gateway/config/index.js';
import type { RunningGateway } from '../../../gateway/index.js';
import { TEST_AUDIENCE } from '../../support/asReuser.js';
import { startTestGateway } from '../../support/testGateway.js';
import {
  createTinyPolicies,
  startAgesSubgraph,
  startPeopleSubgraph,
  type TinySubgraph,
  tinyHeaders,
} from './tinySubgraphs.js';
import '../../support/context.js';

const FETCHERS: SubgraphFetcherKind[] = ['node-fetch', 'default', 'undici'];

let subgraphs: TinySubgraph[];
const policies = createTinyPolicies();

beforeAll(async () => {
  subgraphs = await Promise.all([startPeopleSubgraph(), startAgesSubgraph()]);
});

afterAll(async () => {
  await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  policies.remove();
});

describe.each(FETCHERS)('subgraph calls through the %s client', (fetcher) => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(
      parseGatewayConfig({
        PASSERELLE_PORT: '0',
        // The gateway keeps its context key pair there (keys/), shared by the run's processes.
        PASSERELLE_DATA_DIR: inject('sandboxDataDir'),
        PASSERELLE_SUBGRAPHS: subgraphs
          .map((subgraph) => `${subgraph.name}=${subgraph.url}`)
          .join(','),
        PASSERELLE_SUBGRAPH_FETCHER: fetcher,
        PASSERELLE_SUBGRAPH_TIMEOUT_MS: '300',
        PASSERELLE_LOG_LEVEL: 'silent',
        PASSERELLE_POLICIES_DIR: policies.dir,
        PASSERELLE_PUBLIC_URL: TEST_AUDIENCE,
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  async function post(query: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await tinyHeaders()) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  }

  it('resolves a federated query', async () => {
    expect(await post('{ person(id: "2") { name age } }')).toEqual({
      status: 200,
      body: { data: { person: { name: 'Blaise', age: 39 } } },
    });
  });

  it('gives up on a slow subgraph at the deadline', async () => {
    const started = Date.now();
    const { status, body } = await post('{ waitFor(ms: 2000) }');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      errors: [{ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'education' } }],
    });
  });
});
