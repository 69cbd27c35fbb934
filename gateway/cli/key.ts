import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import type { PolicySet } from '../../policies/engine/index.js';
import { endOfParisDay, todayInParis } from '../../policies/engine/index.js';
import type { AdminConfig } from '../config/index.js';
import {
  addMonths,
  type ExpiryNotification,
  KeyRegistryError,
  MAX_KEY_VALIDITY_MONTHS,
  type ReuserKey,
} from '../keyRegistry/index.js';
import {
  ADMIN_OPTIONS,
  ADMIN_OPTIONS_USAGE,
  adminConfigFrom,
  CommandInputError,
  describeKeyStore,
  keyValidUntilOption,
  loadPolicies,
  optionList,
  parseCommandArgs,
  requireReuser,
  runAdminCommand,
  wholeNumberOption,
  withKeyRegistry,
} from './adminCommand.js';
import type { Command } from './command.js';
import { keyTable, minuteOf } from './keyTable.js';

const USAGE = `Usage: passerelle key <subcommand> [options]

Re-users' public keys, in the key registry the gateway reads.

Subcommands:
  add --reuser <id> --jwk <public.jwk> [--valid-until YYYY-MM-DD]
      register a re-user's public key (Ed25519 for EdDSA, or P-256 for ES256),
      valid from now to the end of that day in Paris (default 12 months, at most 18)
  list [--reuser <id>]
      every key, or one re-user's, with its state
  rotate <old-kid> --jwk <new public.jwk> [--grace-days <n>] [--valid-until YYYY-MM-DD]
      register the new key; the old one keeps working for the grace period (default 7 days)
  revoke <kid> [--reason <text>]
      revoke a key at once, on every gateway (administrator revocation)
  warnings
      queue the expiry warnings due now (90, 60, 30, 14, 7 and 0 days before a key
      expires) and print them; in the sandbox they are delivered to this output

Options:
${ADMIN_OPTIONS_USAGE}`;

const OPTIONS = {
  ...ADMIN_OPTIONS,
  reuser: { type: 'string' },
  jwk: { type: 'string' },
  'valid-until': { type: 'string' },
  'grace-days': { type: 'string' },
  reason: { type: 'string' },
} as const;
type Option = keyof typeof OPTIONS;

/** Options each subcommand accepts beside --data-dir, --policies-dir and --help. */
const SUBCOMMAND_OPTIONS: Readonly<Record<string, readonly Option[]>> = {
  add: ['reuser', 'jwk', 'valid-until'],
  list: ['reuser'],
  rotate: ['jwk', 'grace-days', 'valid-until'],
  revoke: ['reason'],
  warnings: [],
};

const DEFAULT_GRACE_DAYS = 7;
const MAX_GRACE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

function say(message: string): void {
  console.log(message);
}

/** Reads a public key file: one JWK, as JSON. */
function readPublicJwk(path: string | undefined): JWK {
  if (path === undefined || path === '') {
    throw new CommandInputError('give the public key file with --jwk <file> (a JWK, JSON)');
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CommandInputError(
      `cannot read --jwk ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): give the path of the public key file`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CommandInputError(
      `--jwk ${path} is not JSON: export the public key as a JWK, e.g. {"kty":"OKP","crv":"Ed25519","x":"..."}`,
    );
  }
  if (typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, 'keys')) {
    throw new CommandInputError(
      `--jwk ${path} holds a JWK Set: give a file holding the one key to register`,
    );
  }
  return parsed as JWK;
}

/** Registry refusals of the key itself name the file it came from. */
async function naming<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KeyRegistryError && error.code === 'KEY_INVALID') {
      throw new CommandInputError(`--jwk ${path}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * `--valid-until` for a key valid from `from`, checked here so that the
 * message names the flag and a date the operator can type.
 */
function validUntilOption(text: string | undefined, from: Date): Date | undefined {
  if (text === undefined) return undefined;
  const until = keyValidUntilOption(text);
  if (until.getTime() <= from.getTime()) {
    throw new CommandInputError(`--valid-until ${text} is already over: choose a later date`);
  }
  const latest = addMonths(from, MAX_KEY_VALIDITY_MONTHS);
  if (until.getTime() > latest.getTime()) {
    let lastDay = todayInParis(latest);
    if (endOfParisDay(lastDay).getTime() > latest.getTime()) {
      lastDay = todayInParis(new Date(endOfParisDay(lastDay).getTime() - DAY_MS - 1));
    }
    throw new CommandInputError(
      `--valid-until ${text} is too far: a key is valid at most ${MAX_KEY_VALIDITY_MONTHS} months; choose ${lastDay} or earlier`,
    );
  }
  return until;
}

function describeAddedKey(key: ReuserKey): string {
  return `  kid          ${key.kid}
  algorithm    ${key.algorithm}
  valid        ${minuteOf(key.validFrom)} to ${minuteOf(key.validUntil)}`;
}

function requireKid(kid: string | undefined, subcommand: string): string {
  if (kid === undefined || kid === '') {
    throw new CommandInputError(
      `name the key: passerelle key ${subcommand} <kid> (passerelle key list shows them)`,
    );
  }
  return kid;
}

async function findOrRefuse(config: AdminConfig, kid: string): Promise<ReuserKey> {
  const key = await withKeyRegistry(config, (registry) => registry.findKey(kid));
  if (key === undefined) {
    throw new CommandInputError(
      `no key has the id "${kid}" in ${describeKeyStore(config)}: passerelle key list shows the registered keys`,
    );
  }
  return key;
}

/** The re-user of an existing key must still be declared in the policies. */
function requireDeclaredOwner(policySet: PolicySet, key: ReuserKey): void {
  if (!policySet.reusers.has(key.reuserId)) {
    throw new CommandInputError(
      `key ${key.kid} belongs to "${key.reuserId}", which is no longer declared in the policies: revoke it instead`,
    );
  }
}

function warningText(notification: ExpiryNotification, contacts: string): string {
  const when =
    notification.daysBefore === 0
      ? `has expired (${minuteOf(notification.validUntil)})`
      : `expires in ${notification.daysBefore} days (${minuteOf(notification.validUntil)})`;
  return `key ${notification.kid} of ${notification.reuserId} ${when}${contacts}`;
}

type Values = ReturnType<typeof parseKeyArgs>['values'];

function parseKeyArgs(args: readonly string[]) {
  return parseCommandArgs(args, OPTIONS);
}

async function add(values: Values): Promise<number> {
  const from = new Date();
  const validUntil = validUntilOption(values['valid-until'], from);
  const config = adminConfigFrom(values);
  const jwkPath = values.jwk;
  const publicJwk = readPublicJwk(jwkPath);
  const reuser = requireReuser(loadPolicies(config), values.reuser);
  const key = await naming(jwkPath ?? '', () =>
    withKeyRegistry(config, (registry) =>
      registry.addKey(reuser.id, publicJwk, {
        validFrom: from,
        ...(validUntil === undefined ? {} : { validUntil }),
      }),
    ),
  );
  say(`key added for ${reuser.id} (${reuser.name})\n${describeAddedKey(key)}`);
  return 0;
}

async function list(values: Values): Promise<number> {
  const config = adminConfigFrom(values);
  const reuserId =
    values.reuser === undefined ? undefined : requireReuser(loadPolicies(config), values.reuser).id;
  const keys = await withKeyRegistry(config, (registry) => registry.listKeys(reuserId));
  if (keys.length === 0) {
    say(
      `no key registered${reuserId === undefined ? '' : ` for ${reuserId}`} in ${describeKeyStore(config)}`,
    );
    return 0;
  }
  say(keyTable(keys, new Date()));
  return 0;
}

async function rotate(values: Values, oldKid: string | undefined): Promise<number> {
  const kid = requireKid(oldKid, 'rotate');
  const from = new Date();
  const validUntil = validUntilOption(values['valid-until'], from);
  const graceDays =
    values['grace-days'] === undefined
      ? DEFAULT_GRACE_DAYS
      : wholeNumberOption(values['grace-days'], '--grace-days', 0, MAX_GRACE_DAYS);
  const config = adminConfigFrom(values);
  const jwkPath = values.jwk;
  const publicJwk = readPublicJwk(jwkPath);
  const policySet = loadPolicies(config);
  requireDeclaredOwner(policySet, await findOrRefuse(config, kid));
  const { old, added } = await naming(jwkPath ?? '', () =>
    withKeyRegistry(config, (registry) =>
      registry.rotateKey(kid, publicJwk, graceDays, {
        validFrom: from,
        ...(validUntil === undefined ? {} : { validUntil }),
      }),
    ),
  );
  say(`key rotated for ${added.reuserId}
new key
${describeAddedKey(added)}
old key
  kid          ${old.kid}
  valid until  ${minuteOf(old.validUntil)} (grace period: ${graceDays} days); switch every client to the new key before then`);
  return 0;
}

async function revoke(values: Values, kid: string | undefined): Promise<number> {
  const keyId = requireKid(kid, 'revoke');
  const config = adminConfigFrom(values);
  const existing = await findOrRefuse(config, keyId);
  if (existing.status === 'revoked') {
    say(
      `key ${keyId} of ${existing.reuserId} was already revoked by ${existing.revokedBy ?? 'admin'} at ${minuteOf(existing.revokedAt ?? existing.createdAt)}; nothing changed`,
    );
    return 0;
  }
  const revoked = await withKeyRegistry(config, (registry) =>
    registry.revokeKey(keyId, 'admin', values.reason),
  );
  say(
    `key ${keyId} of ${revoked.reuserId} revoked at ${minuteOf(revoked.revokedAt ?? '')}${revoked.revocationReason === undefined ? '' : ` (${revoked.revocationReason})`}; every gateway refuses it within a second`,
  );
  return 0;
}

async function warnings(values: Values): Promise<number> {
  const config = adminConfigFrom(values);
  const policySet = loadPolicies(config);
  const contactsOf = (reuserId: string): string => {
    const reuser = policySet.reusers.get(reuserId);
    return reuser === undefined
      ? ' (re-user no longer declared in the policies)'
      : `; to ${reuser.contacts.map((contact) => contact.email).join(', ')}`;
  };
  return withKeyRegistry(config, async (registry) => {
    const queued = await registry.queueExpiryWarnings(new Date());
    const pending = await registry.listNotifications({ undeliveredOnly: true });
    if (pending.length === 0) {
      say(
        'no expiry warning due (keys are warned 90, 60, 30, 14, 7 and 0 days before they expire)',
      );
      return 0;
    }
    if (config.mode === 'sandbox') {
      // The sandbox has no webhook: this output is where warnings are delivered.
      for (const notification of pending) {
        say(
          `delivered (sandbox log): ${warningText(notification, contactsOf(notification.reuserId))}`,
        );
        await registry.markDelivered(notification.id);
      }
      say(`${pending.length} expiry warning(s) delivered, ${queued.length} newly queued`);
      return 0;
    }
    for (const notification of pending) {
      say(`awaiting delivery: ${warningText(notification, contactsOf(notification.reuserId))}`);
    }
    say(`${pending.length} expiry warning(s) awaiting delivery, ${queued.length} newly queued`);
    return 0;
  });
}

/** `passerelle key ...`: re-users' public keys in the key registry. */
export const keyCommand: Command = {
  summary: "register, list, rotate and revoke re-users' public keys; expiry warnings",
  run(args) {
    return runAdminCommand('passerelle key', async () => {
      const { values, positionals } = parseKeyArgs(args);
      const [subcommand, argument, ...extra] = positionals;
      if (values.help === true) {
        say(USAGE);
        return 0;
      }
      const allowed = subcommand === undefined ? undefined : SUBCOMMAND_OPTIONS[subcommand];
      if (subcommand === undefined || allowed === undefined) {
        throw new CommandInputError(
          `${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}\n\n${USAGE}`,
        );
      }
      const misplaced = Object.keys(values).filter(
        (option) => !Object.hasOwn(ADMIN_OPTIONS, option) && !allowed.includes(option as Option),
      );
      if (misplaced.length > 0) {
        throw new CommandInputError(
          `${optionList(misplaced, 'does', 'do')} not apply to key ${subcommand}; see passerelle key --help`,
        );
      }
      const takesKid = subcommand === 'rotate' || subcommand === 'revoke';
      if ((!takesKid && argument !== undefined) || extra.length > 0) {
        throw new CommandInputError(
          `unexpected argument "${takesKid ? extra[0] : argument}"; see passerelle key --help`,
        );
      }
      switch (subcommand) {
        case 'add':
          return add(values);
        case 'list':
          return list(values);
        case 'rotate':
          return rotate(values, argument);
        case 'revoke':
          return revoke(values, argument);
        default:
          return warnings(values);
      }
    });
  },
};
