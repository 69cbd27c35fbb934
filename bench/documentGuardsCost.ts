/**
 * The cost of the document guards and of the cost estimate, in-process, on
 * the repository's supergraph and the sample query: each step once per
 * distinct document (what a cache miss costs) and the cached path the
 * gateway takes for a document it has seen (a hash and a map lookup), in
 * interleaved rounds, CPU time per operation. The HTTP figure is every
 * gateway scenario of `npm run bench`: each request goes through the guards.
 *
 *   npx tsx bench/documentGuardsCost.ts [--rounds 5] [--operations 2000]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import { SAMPLE_QUERY } from '../gateway/cli/sampleQuery.js';
import { composeRepositorySupergraph } from '../gateway/cli/sandboxSupergraph.js';
import {
  checkDocument,
  checkSource,
  createCostModel,
  estimateCost,
  measureDocument,
  measureSource,
} from '../gateway/documentGuards/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    operations: { type: 'string', default: '2000' },
  },
});
const ROUNDS = Number(values.rounds);
const OPERATIONS = Number(values.operations);
const LIMITS = {
  maxDepth: 10,
  maxAliases: 15,
  maxRootFields: 10,
  maxDirectives: 20,
  maxTokens: 2000,
  maxDocumentBytes: 32_768,
};
const model = createCostModel(composeRepositorySupergraph());
const variables = { fileNumber: '0381201', month: '2026-11' };
const cache = new Map<string, unknown>();

const operations: { name: string; run: () => unknown }[] = [
  {
    name: 'measure the text (bytes, tokens)',
    run: () => checkSource(measureSource(SAMPLE_QUERY, 2000), LIMITS),
  },
  { name: 'parse (graphql-js, for reference)', run: () => parse(SAMPLE_QUERY) },
  {
    name: 'measure the document (depth, aliases...)',
    run: () => checkDocument(measureDocument(parse(SAMPLE_QUERY)), LIMITS, { purpose: undefined }),
  },
  {
    name: 'estimate the cost',
    run: () => estimateCost(model, { document: parse(SAMPLE_QUERY), variables }, 10),
  },
  {
    name: 'cached verdict (hash + lookup)',
    run: () => {
      const key = createHash('sha256').update(SAMPLE_QUERY).digest('hex');
      if (!cache.has(key)) cache.set(key, true);
      return cache.get(key);
    },
  },
];

function cpuMicrosPerOperation(run: () => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < OPERATIONS; i += 1) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / OPERATIONS;
}

const samples = new Map<string, number[]>(operations.map((operation) => [operation.name, []]));
for (let round = 0; round <= ROUNDS; round += 1) {
  for (const operation of operations) {
    const micros = cpuMicrosPerOperation(operation.run);
    // Round 0 warms the JIT up and is not counted.
    if (round > 0) samples.get(operation.name)?.push(micros);
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(
  `Document guards on the sample query (${SAMPLE_QUERY.length} characters): CPU µs per operation, median of ${ROUNDS} rounds of ${OPERATIONS}`,
);
for (const [name, list] of samples) {
  const value = median(list) ?? Number.NaN;
  const spread = `${Math.min(...list).toFixed(1)}-${Math.max(...list).toFixed(1)}`;
  console.log(`  ${name.padEnd(42)} ${value.toFixed(1).padStart(8)}   (rounds ${spread})`);
}
