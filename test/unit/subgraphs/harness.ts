/**
 * Shared harness of the data holder tests: holders started in-process over
 * the run's sandbox dataset (as of 2026-11-15) and the fixture policies of
 * `fixtures/policies/`, called directly over HTTP as the gateway would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { inject } from 'vitest';
import { formatProblems, loadPolicySet, type PolicySet } from '../../../policies/engine/index.js';
import { DATA_HOLDER_DEFINITIONS } from '../../../subgraphs/index.js';
import {
  type DataHolderName,
  fixedClock,
  fixedHolderPolicies,
  type HolderAccessLog,
  type HolderPolicies,
  type HolderTls,
  holderStorePath,
  openHolderAccessLog,
  openHolderStore,
  type RunningDataHolder,
} from '../../../subgraphs/kit/index.js';
import '../../support/context.js';
import type { ContextClaims } from '../../../gateway/contextToken/index.js';
import {
  createTestContextKey,
  purposeClaims,
  type TestContextKey,
} from '../../support/gatewayContext.js';
import { type GraphQLResponse, postGraphQL } from '../../support/graphql.js';
import { TEST_DATASET } from '../../support/sandboxDataset.js';

/** Test purposes and re-users, one per behaviour under test; not the shipped policies. */
export const FIXTURE_POLICIES_DIR = fileURLToPath(new URL('./fixtures/policies', import.meta.url));

/** Holds every fixture purpose. */
export const TEST_REUSER = 'test-reuser';

/** The fixture policies compiled for one holder, as the holder itself loads them. */
export function fixturePolicies(holder: DataHolderName, dir = FIXTURE_POLICIES_DIR): PolicySet {
  const loaded = loadPolicySet({
    dir,
    schemaSdl: print(DATA_HOLDER_DEFINITIONS[holder].typeDefs),
    scope: { kind: 'holder', holder },
  });
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
  return loaded.policySet;
}

export type TestHolder = RunningDataHolder & {
  /** The data folder of this holder's own access log (a fresh temporary one unless given). */
  logDataDir: string;
  accessLog: HolderAccessLog;
  /**
   * Posts a query as the gateway does: with a context signed for this
   * holder, bound to `purpose` (and re-user); without a purpose, a service
   * context (schema reads only).
   */
  query<Data = Record<string, unknown>>(
    text: string,
    options?: { purpose?: string; reuser?: string; variables?: Record<string, unknown> },
  ): Promise<GraphQLResponse<Data>>;
  /** Posts a query with a context carrying exactly these claims, signed for this holder. */
  queryAs<Data = Record<string, unknown>>(
    text: string,
    claims: ContextClaims,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<Data>>;
  /** Posts a query with exactly these headers (no signed context unless given). */
  queryWithHeaders<Data = Record<string, unknown>>(
    text: string,
    headers: Record<string, string>,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<Data>>;
};

let testKey: Promise<TestContextKey> | undefined;

/**
 * The gateway key pair of this test file's holders: the holders check
 * contexts with its public half, the tests sign with its private half.
 */
export function testContextKey(): Promise<TestContextKey> {
  testKey ??= createTestContextKey();
  return testKey;
}

export type TestHolderOptions = {
  /** HTTPS with mutual TLS (the `query` helpers then do not apply: they speak plain HTTP). */
  tls?: HolderTls;
  /** The gateway key it trusts; this file's test key by default. */
  key?: TestContextKey;
  /** 0 (any free port) by default. */
  port?: number;
  /** Where the holder keeps its access log; a temporary folder, removed on stop, by default. */
  logDataDir?: string;
};

/** Starts a holder over the test dataset, on the dataset's date, in sandbox mode. */
export async function startTestHolder(
  holder: DataHolderName,
  policies: HolderPolicies = fixedHolderPolicies(fixturePolicies(holder)),
  options: TestHolderOptions = {},
): Promise<TestHolder> {
  const key = options.key ?? (await testContextKey());
  const temporaryLogDir =
    options.logDataDir === undefined
      ? mkdtempSync(join(tmpdir(), 'passerelle-holder-log-'))
      : undefined;
  const logDataDir = options.logDataDir ?? (temporaryLogDir as string);
  const accessLog = await openHolderAccessLog({ dataDir: logDataDir, holder });
  const running = await DATA_HOLDER_DEFINITIONS[holder].start({
    store: openHolderStore(holderStorePath(inject('sandboxDataDir'), holder)),
    clock: fixedClock(TEST_DATASET.asOf),
    policies,
    mode: 'sandbox',
    gatewayKeys: key.publicKeys,
    accessLog,
    host: '127.0.0.1',
    port: options.port ?? 0,
    tls: options.tls,
  });
  const queryAs: TestHolder['queryAs'] = async (text, claims, variables) =>
    postGraphQL(running.url, text, variables, await key.headersFor(holder, claims));
  return {
    ...running,
    logDataDir,
    accessLog,
    stop: async () => {
      await running.stop();
      running.store.close();
      accessLog.close();
      if (temporaryLogDir !== undefined) rmSync(temporaryLogDir, { recursive: true, force: true });
    },
    query: (text, options = {}) =>
      queryAs(
        text,
        options.purpose === undefined
          ? { scope: 'service' }
          : purposeClaims(options.purpose, options.reuser ?? TEST_REUSER),
        options.variables,
      ),
    queryAs,
    queryWithHeaders: (text, headers, variables) =>
      postGraphQL(running.url, text, variables, headers),
  };
}

/** `{ coordinate: code }` for each error of a response, to compare as a whole. */
export function refusals(response: GraphQLResponse<unknown>): Record<string, unknown> {
  return Object.fromEntries(
    (response.body.errors ?? []).map((error) => [
      String(error.extensions?.coordinate),
      error.extensions?.code,
    ]),
  );
}
