import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  endOfParisDay,
  formatProblems,
  loadPolicySet,
  type PolicySet,
  type Reuser,
  todayInParis,
} from '../../policies/engine/index.js';
import { type AdminConfig, ConfigError, loadAdminConfig } from '../config/index.js';
import {
  describePostgresUrl,
  type KeyRegistry,
  KeyRegistryError,
  keyStoreFor,
  openKeyRegistry,
} from '../keyRegistry/index.js';
import { composeRepositorySupergraph } from './sandboxSupergraph.js';

/**
 * What the administration commands (`reuser`, `key`, `sandbox credentials`)
 * share: one error convention, the configuration, the policies and the key
 * registry.
 *
 * Exit codes: 0 done; 2 the input is wrong, and the message says what to
 * change; 1 something else failed (store unreachable, policy files broken).
 */

/** A mistake in what the operator typed: exit 2. */
export class CommandInputError extends Error {
  override readonly name = 'CommandInputError';
}

/** The command could not do its work for a reason other than its input: exit 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** Runs a subcommand, turning the errors above (and the registry's) into a message and an exit code. */
export async function runAdminCommand(
  prefix: string,
  work: () => Promise<number>,
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CommandInputError || error instanceof ConfigError) {
      console.error(`${prefix}: ${error.message}`);
      return 2;
    }
    if (error instanceof CommandFailure) {
      console.error(`${prefix}: ${error.message}`);
      return 1;
    }
    if (error instanceof KeyRegistryError) {
      console.error(`${prefix}: ${error.message}`);
      return error.code === 'STORE_UNAVAILABLE' ? 1 : 2;
    }
    throw error;
  }
}

/** The options every administration command takes. */
export const ADMIN_OPTIONS = {
  'data-dir': { type: 'string' },
  'policies-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const ADMIN_OPTIONS_USAGE = `  --data-dir <path>       data folder holding the key registry   [PASSERELLE_DATA_DIR, ./data]
  --policies-dir <path>   policy files                           [PASSERELLE_POLICIES_DIR, ./policies]
The key registry is in PostgreSQL when PASSERELLE_DATABASE_URL is set (tables in
PASSERELLE_DATABASE_SCHEMA, default public), else in <data-dir>/registry.sqlite.`;

type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * A key id: the RFC 7638 thumbprint, 43 base64url characters. One in 64
 * starts with "-", which parseArgs would read as options.
 */
const KEY_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Key ids starting with "-" moved after "--", where parseArgs takes them as
 * the positional arguments they are (`passerelle key revoke -g2dG7...`).
 */
function keyIdsAsPositionals(args: readonly string[]): string[] {
  const endOfOptions = args.indexOf('--');
  const options = endOfOptions === -1 ? args : args.slice(0, endOfOptions);
  const rest = endOfOptions === -1 ? [] : args.slice(endOfOptions + 1);
  const keyIds = options.filter((arg) => arg.startsWith('-') && KEY_ID.test(arg));
  if (keyIds.length === 0) return [...args];
  return [...options.filter((arg) => !keyIds.includes(arg)), '--', ...keyIds, ...rest];
}

/** `parseArgs`, its complaints turned into input errors; tokens keep the order options were typed in. */
export function parseCommandArgs<const Options extends OptionsConfig>(
  args: readonly string[],
  options: Options,
) {
  try {
    return parseArgs({
      args: keyIdsAsPositionals(args),
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new CommandInputError(error instanceof Error ? error.message : String(error));
  }
}

/** The configuration, `--data-dir` and `--policies-dir` overriding the environment. */
export function adminConfigFrom(values: {
  'data-dir'?: string | undefined;
  'policies-dir'?: string | undefined;
}): AdminConfig {
  return loadAdminConfig({
    PASSERELLE_DATA_DIR: values['data-dir'],
    PASSERELLE_POLICIES_DIR: values['policies-dir'],
  });
}

/** A path as the operator can type it: relative when under the working directory. */
export function shownPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

/** `--a, --b` and the verb agreeing with them. */
export function optionList(options: readonly string[], singular: string, plural: string): string {
  return `${options.map((option) => `--${option}`).join(', ')} ${options.length === 1 ? singular : plural}`;
}

/** Where the registry is, for messages. */
export function describeKeyStore(config: AdminConfig): string {
  return config.databaseUrl === undefined
    ? shownPath(`${config.dataDir}/registry.sqlite`)
    : `${describePostgresUrl(config.databaseUrl)}, schema ${config.databaseSchema}`;
}

/** Opens the registry the gateway uses, runs `work`, closes it. */
export async function withKeyRegistry<T>(
  config: AdminConfig,
  work: (registry: KeyRegistry) => Promise<T>,
): Promise<T> {
  const registry = await openKeyRegistry(keyStoreFor(config));
  try {
    return await work(registry);
  } finally {
    await registry.close();
  }
}

/** The policy set, checked against the repository's supergraph. */
export function loadPolicies(config: AdminConfig): PolicySet {
  const result = loadPolicySet({
    dir: config.policiesDir,
    schemaSdl: composeRepositorySupergraph(),
    scope: { kind: 'supergraph' },
  });
  if (!result.ok) {
    throw new CommandFailure(
      `the policy files in ${config.policiesDir} have problems; fix them first (passerelle policy check):\n${formatProblems(result.problems)}`,
    );
  }
  return result.policySet;
}

/** A re-user declared in the policies; the operator is told which ones exist otherwise. */
export function requireReuser(policySet: PolicySet, reuserId: string | undefined): Reuser {
  if (reuserId === undefined || reuserId === '') {
    throw new CommandInputError('name the re-user with --reuser <id>');
  }
  const reuser = policySet.reusers.get(reuserId);
  if (reuser === undefined) {
    throw new CommandInputError(
      `unknown re-user "${reuserId}": it is not declared in the policies (declare it with passerelle reuser add); known: ${[...policySet.reusers.keys()].sort().join(', ')}`,
    );
  }
  return reuser;
}

/** Today in Europe/Paris, or the sandbox's fixed date. */
export function todayFor(config: AdminConfig): string {
  return config.asOf ?? todayInParis(new Date());
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` flag value that is a real date. */
export function calendarDateOption(text: string, flag: string): string {
  const date = new Date(`${text}T00:00:00Z`);
  if (
    !CALENDAR_DATE.test(text) ||
    Number.isNaN(date.getTime()) ||
    !date.toISOString().startsWith(text)
  ) {
    throw new CommandInputError(`${flag} must be a real date written YYYY-MM-DD, got "${text}"`);
  }
  return text;
}

/** The instant a key given `--valid-until <date>` stops working: the end of that day in Paris. */
export function keyValidUntilOption(text: string): Date {
  return endOfParisDay(calendarDateOption(text, '--valid-until'));
}

/** A whole number flag value within bounds. */
export function wholeNumberOption(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CommandInputError(
      `${flag} must be a whole number from ${min} to ${max}, got "${text}"`,
    );
  }
  return Number(text);
}
