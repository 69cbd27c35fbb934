/**
 * The gateway-signed context's own cost, in-process: signing one token (the
 * gateway, once per request and subgraph) and checking one (a data holder,
 * once per request), in interleaved rounds, measuring CPU time per
 * operation (all threads: WebCrypto runs signatures on libuv's pool). The
 * HTTP figure is the `direct` scenario of `npm run bench`, whose requests
 * each carry a token the holder checks.
 *
 *   npx tsx bench/contextTokenCost.ts [--rounds 5] [--operations 2000]
 */
import { parseArgs } from 'node:util';
import {
  type ContextSigner,
  createContextSigner,
  generateGatewayContextKey,
  type PurposeContextClaims,
} from '../gateway/contextToken/index.js';
import { createGatewayContextVerifier, importGatewayPublicKeys } from '../subgraphs/kit/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    operations: { type: 'string', default: '2000' },
  },
});
const ROUNDS = Number(values.rounds);
const OPERATIONS = Number(values.operations);

const CLAIMS: PurposeContextClaims = {
  scope: 'purpose',
  purpose: 'secondary-school-grant',
  reuser: 'departement-de-la-haute-vallee',
  agent: 'agent-42',
  reason: 'file-2026-0042',
  requestId: '3f2b8c1e-3a43-4a4e-9f0e-2f8d9b1c7a10',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  policyVersion: 'a'.repeat(64),
};

const key = await generateGatewayContextKey();
const signer: ContextSigner = await createContextSigner(key.privateJwk);
const verifier = createGatewayContextVerifier(
  await importGatewayPublicKeys(key.publicJwk, 'bench'),
  'education',
);
const { token } = await signer.sign('education', CLAIMS);

const operations: { name: string; run: () => Promise<unknown> }[] = [
  { name: 'sign (gateway)', run: () => signer.sign('education', CLAIMS) },
  { name: 'verify, imported key kept (kit)', run: () => verifier.verify(token) },
  {
    name: 'verify, key imported each time',
    run: async () =>
      createGatewayContextVerifier(
        await importGatewayPublicKeys(key.publicJwk, 'bench'),
        'education',
      ).verify(token),
  },
];

async function cpuMicrosPerOperation(run: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < OPERATIONS; i += 1) await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / OPERATIONS;
}

const verified = await verifier.verify(token);
if (!verified.ok) throw new Error(`the bench token does not verify: ${verified.refusal.reason}`);

const samples = new Map<string, number[]>(operations.map((operation) => [operation.name, []]));
for (let round = 0; round <= ROUNDS; round += 1) {
  for (const operation of operations) {
    const micros = await cpuMicrosPerOperation(operation.run);
    // Round 0 warms the JIT up and is not counted.
    if (round > 0) samples.get(operation.name)?.push(micros);
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(
  `Context token (${token.length} bytes): CPU µs per operation, median of ${ROUNDS} rounds of ${OPERATIONS}`,
);
for (const [name, list] of samples) {
  const value = median(list) ?? Number.NaN;
  const spread = `${Math.min(...list).toFixed(0)}-${Math.max(...list).toFixed(0)}`;
  console.log(`  ${name.padEnd(34)} ${value.toFixed(1).padStart(8)}   (rounds ${spread})`);
}
