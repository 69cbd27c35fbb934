/**
 * The cost of authenticating a re-user, in-process: verifying a client
 * assertion the first time (signature, claims, replay record in the SQLite
 * key registry) and again (the cache by token hash), in interleaved rounds,
 * measuring CPU time per operation (all threads: WebCrypto runs signatures
 * on libuv's pool). The HTTP figures are the `gateway-same-query` (one
 * assertion per run, cached) and `gateway-fresh-assertion` scenarios of
 * `npm run bench`.
 *
 *   npx tsx bench/assertionCost.ts [--rounds 5] [--operations 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAssertionVerifier } from '../gateway/authentication/index.js';
import { generateReuserKeyPair, signClientAssertion } from '../gateway/clientAssertion/index.js';
import { openKeyRegistry } from '../gateway/keyRegistry/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    operations: { type: 'string', default: '2000' },
  },
});
const ROUNDS = Number(values.rounds);
const OPERATIONS = Number(values.operations);
const AUDIENCE = 'https://passerelle.bench/graphql';
const CLAIMS = {
  reuserId: 'departement-de-la-haute-vallee',
  audience: AUDIENCE,
  purpose: 'secondary-school-grant',
  agent: 'agent-42',
};

const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-assertion-cost-'));
const registry = await openKeyRegistry({ kind: 'sqlite', dataDir });
const keyPair = await generateReuserKeyPair('EdDSA');
await registry.addKey(CLAIMS.reuserId, keyPair.publicJwk);
const verifier = createAssertionVerifier({ registry, audiences: () => [AUDIENCE] });
const cachedToken = await signClientAssertion(keyPair.privateJwk, CLAIMS);
await verifier.verify(cachedToken);

/** Fresh tokens are signed before each measure, so that only verification is counted. */
async function freshTokens(count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1)
    tokens.push(await signClientAssertion(keyPair.privateJwk, CLAIMS));
  return tokens;
}

async function cpuMicrosPerOperation(run: (index: number) => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < OPERATIONS; i += 1) await run(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / OPERATIONS;
}

const samples = new Map<string, number[]>([
  ['sign (re-user side)', []],
  ['verify, first use (signature, replay record)', []],
  ['verify, same token again (cache)', []],
]);
for (let round = 0; round <= ROUNDS; round += 1) {
  const signing = await cpuMicrosPerOperation(() =>
    signClientAssertion(keyPair.privateJwk, CLAIMS),
  );
  const tokens = await freshTokens(OPERATIONS);
  const fresh = await cpuMicrosPerOperation((index) => verifier.verify(tokens[index] as string));
  const cached = await cpuMicrosPerOperation(() => verifier.verify(cachedToken));
  // Round 0 warms the JIT up and is not counted.
  if (round === 0) continue;
  samples.get('sign (re-user side)')?.push(signing);
  samples.get('verify, first use (signature, replay record)')?.push(fresh);
  samples.get('verify, same token again (cache)')?.push(cached);
}
verifier.close();
await registry.close();
rmSync(dataDir, { recursive: true, force: true });

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(
  `Client assertion (${cachedToken.length} bytes): CPU µs per operation, median of ${ROUNDS} rounds of ${OPERATIONS}`,
);
for (const [name, list] of samples) {
  const value = median(list) ?? Number.NaN;
  const spread = `${Math.min(...list).toFixed(0)}-${Math.max(...list).toFixed(0)}`;
  console.log(`  ${name.padEnd(46)} ${value.toFixed(1).padStart(8)}   (rounds ${spread})`);
}
