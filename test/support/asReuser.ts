import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateReuserKeyPair,
  type ReuserKeyPair,
  signClientAssertion,
} from '../../gateway/clientAssertion/index.js';
import { KeyRegistryError, keyStoreFor, openKeyRegistry } from '../../gateway/keyRegistry/index.js';

/**
 * How a test's request says which re-user asks and for which purpose
 * (DECISIONS.md section 1): a client assertion signed with the re-user's
 * key, as a real re-user sends it. Every test builds its credentials here.
 */
export type ReuserCredentials = Readonly<Record<string, string>>;

export type ReuserRequestOptions = {
  /** The person or service asking, for the access log. */
  agent?: string;
  /** The file or case reference, for purposes that require one. */
  reason?: string;
  /** The gateway's URL the assertion is for; `TEST_AUDIENCE` by default. */
  audience?: string;
};

/** A default agent: every request for data names one. */
export const TEST_AGENT = 'agent-test-1';

/**
 * The audience of test assertions. In-process test gateways are configured
 * with it as `PASSERELLE_PUBLIC_URL`, whatever port they listen on.
 */
export const TEST_AUDIENCE = 'https://passerelle.test/graphql';

/** One key pair per re-user and test process, made on first use, never written anywhere. */
const keyPairs = new Map<string, Promise<ReuserKeyPair>>();

export function testKeyPairOf(reuser: string): Promise<ReuserKeyPair> {
  let pair = keyPairs.get(reuser);
  if (pair === undefined) {
    pair = generateReuserKeyPair('EdDSA');
    keyPairs.set(reuser, pair);
  }
  return pair;
}

/** A fresh client assertion (its own `jti`) binding a request to `reuser` under `purpose`. */
export async function assertionFor(
  reuser: string,
  purpose: string,
  options: ReuserRequestOptions = {},
): Promise<string> {
  const { privateJwk } = await testKeyPairOf(reuser);
  return signClientAssertion(privateJwk, {
    reuserId: reuser,
    audience: options.audience ?? TEST_AUDIENCE,
    purpose,
    agent: options.agent ?? TEST_AGENT,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
}

/** The headers binding a request to `reuser` under `purpose`. */
export async function asReuser(
  reuser: string,
  purpose: string,
  options: ReuserRequestOptions = {},
): Promise<ReuserCredentials> {
  return { authorization: `Bearer ${await assertionFor(reuser, purpose, options)}` };
}

/** The re-users declared in a policies folder (their ids are their file names). */
export function reuserIdsOf(policiesDir: string): string[] {
  return readdirSync(join(policiesDir, 'reusers'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length));
}

/**
 * Registers this process's test keys in a gateway's key registry, for every
 * re-user of its policies and the `extra` ones. Registering twice is harmless.
 */
export async function registerTestKeys(
  config: {
    dataDir: string;
    policiesDir: string;
    databaseUrl?: string | undefined;
    databaseSchema?: string | undefined;
  },
  extra: readonly string[] = [],
): Promise<void> {
  const registry = await openKeyRegistry(keyStoreFor(config));
  try {
    for (const id of [...reuserIdsOf(config.policiesDir), ...extra]) {
      try {
        await registry.addKey(id, (await testKeyPairOf(id)).publicJwk);
      } catch (error) {
        if (!(error instanceof KeyRegistryError && error.code === 'KEY_ALREADY_REGISTERED')) {
          throw error;
        }
      }
    }
  } finally {
    await registry.close();
  }
}
