import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { PolicySet, Purpose, Reuser } from '../../policies/engine/index.js';
import { isPurposeActive, isReuserGrantActive } from '../../policies/engine/index.js';
import {
  generateReuserKeyPair,
  MAX_ASSERTION_LIFETIME_SECONDS,
  signClientAssertion,
} from '../clientAssertion/index.js';
import type { AdminConfig } from '../config/index.js';
import { keyStateAt, type ReuserKey } from '../keyRegistry/index.js';
import {
  ADMIN_OPTIONS,
  ADMIN_OPTIONS_USAGE,
  adminConfigFrom,
  CommandInputError,
  describeKeyStore,
  loadPolicies,
  optionList,
  parseCommandArgs,
  requireReuser,
  runAdminCommand,
  shownPath,
  todayFor,
  withKeyRegistry,
} from './adminCommand.js';
import { minuteOf } from './keyTable.js';
import { curlCommand, SAMPLE_CLAIMS, type SampleRequest, sampleRequest } from './sampleQuery.js';

/**
 * Sandbox credentials (DOMAIN.md M7): a developer gets a key pair, a
 * registered public key and a signed assertion in one command, then mints
 * fresh assertions in a loop. Refused outside the sandbox: in production a
 * re-user generates its key pair itself and only the public key is
 * registered (`passerelle key add`).
 */

export const CREDENTIALS_USAGE = `Usage: passerelle sandbox credentials --reuser <id> --purpose <id> [options]

Creates a key pair for the re-user, registers its public key for one day,
keeps the private key in <data-dir>/sandbox-credentials/, and prints a signed
assertion (valid ${MAX_ASSERTION_LIFETIME_SECONDS} s), a curl command using it, and the command that signs fresh ones.

Options:
  --reuser <id>           a re-user declared in the policies
  --purpose <id>          one of the re-user's purposes
  --agent <name>          the person or service asking          [sandbox-developer]
  --reason <ref>          file or case reference, for purposes that require one
  --audience <url>        the gateway's URL                      [${'http://127.0.0.1:4000/graphql'}]
${ADMIN_OPTIONS_USAGE}`;

export const SIGN_USAGE = `Usage: passerelle sandbox sign --key <private.jwk> --purpose <id> [options]

Prints a fresh assertion (valid ${MAX_ASSERTION_LIFETIME_SECONDS} s) signed with a key made by passerelle sandbox credentials,
alone on one line: TOKEN=$(npm run --silent passerelle -- sandbox sign ...).

Options:
  --key <file>            the private JWK written by sandbox credentials
  --purpose <id>          one of the re-user's purposes
  --agent <name>          the person or service asking          [sandbox-developer]
  --reason <ref>          file or case reference, for purposes that require one
  --audience <url>        the gateway's URL                      [${'http://127.0.0.1:4000/graphql'}]
${ADMIN_OPTIONS_USAGE}`;

const DEFAULT_AUDIENCE = 'http://127.0.0.1:4000/graphql';
const DEFAULT_AGENT = 'sandbox-developer';
const SANDBOX_KEY_VALIDITY_MS = 24 * 60 * 60 * 1000;
export const SANDBOX_CREDENTIALS_FOLDER = 'sandbox-credentials';

const OPTIONS = {
  ...ADMIN_OPTIONS,
  reuser: { type: 'string' },
  purpose: { type: 'string' },
  agent: { type: 'string' },
  reason: { type: 'string' },
  audience: { type: 'string' },
  key: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseCredentialArgs>['values'];

function parseCredentialArgs(args: readonly string[]) {
  return parseCommandArgs(args, OPTIONS);
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function requireSandbox(config: AdminConfig, what: string): void {
  if (config.mode !== 'sandbox') {
    throw new CommandInputError(
      `${what} only exists in the sandbox, and PASSERELLE_MODE is "${config.mode}": in production a re-user generates its own key pair and an administrator registers the public key (passerelle key add)`,
    );
  }
}

function parseOptions(args: readonly string[], allowed: readonly string[], usage: string) {
  const { values, positionals } = parseCredentialArgs(args);
  if (values.help === true) return { help: usage } as const;
  const misplaced = Object.keys(values).filter(
    (option) => !Object.hasOwn(ADMIN_OPTIONS, option) && !allowed.includes(option),
  );
  if (misplaced.length > 0) {
    throw new CommandInputError(
      `${optionList(misplaced, 'does', 'do')} not apply here\n\n${usage}`,
    );
  }
  if (positionals.length > 0) {
    throw new CommandInputError(`unexpected argument "${positionals[0]}"\n\n${usage}`);
  }
  return { values } as const;
}

function audienceOption(values: Values): string {
  const audience = values.audience ?? DEFAULT_AUDIENCE;
  if (!URL.canParse(audience) || !/^https?:$/.test(new URL(audience).protocol)) {
    throw new CommandInputError(
      `--audience must be the gateway's http:// or https:// URL, e.g. ${DEFAULT_AUDIENCE}`,
    );
  }
  return audience;
}

function agentOption(values: Values): string {
  const agent = (values.agent ?? DEFAULT_AGENT).trim();
  if (agent === '') throw new CommandInputError('--agent must name the person or service asking');
  return agent;
}

/** The purpose, if the re-user holds it; the reason, if the purpose requires one. */
function checkPurpose(
  policySet: PolicySet,
  reuser: Reuser,
  purposeId: string | undefined,
  reason: string | undefined,
): Purpose {
  const held = reuser.purposes.map((grant) => grant.purpose);
  if (purposeId === undefined || purposeId === '') {
    throw new CommandInputError(
      `name the purpose with --purpose; ${reuser.id} holds: ${held.join(', ')}`,
    );
  }
  const purpose = policySet.purposes.get(purposeId);
  if (!held.includes(purposeId) || purpose === undefined) {
    throw new CommandInputError(
      `re-user ${reuser.id} does not hold the purpose "${purposeId}"; it holds: ${held.join(', ')}`,
    );
  }
  if (purpose.traceability.requiredClaims.includes('reason') && (reason ?? '').trim() === '') {
    throw new CommandInputError(
      `purpose ${purposeId} requires a file or case reference in every request: add --reason <ref>, e.g. --reason SANDBOX-0001`,
    );
  }
  return purpose;
}

/** A note when the gateway would refuse the purpose today, whatever the credentials. */
function inactiveNote(config: AdminConfig, reuser: Reuser, purpose: Purpose): string | undefined {
  const today = todayFor(config);
  const grant = reuser.purposes.find((candidate) => candidate.purpose === purpose.id);
  if (!isPurposeActive(purpose, today, 'sandbox')) {
    return `note: purpose ${purpose.id} is not active in the sandbox on ${today} (valid ${purpose.validFrom} to ${purpose.validUntil}, stage ${purpose.stage}); the gateway will refuse it`;
  }
  if (grant !== undefined && !isReuserGrantActive(grant, today)) {
    return `note: ${reuser.id} holds ${purpose.id} from ${grant.validFrom} to ${grant.validUntil}, not on ${today}; the gateway will refuse it`;
  }
  return undefined;
}

/** The sample query when it fits the purpose, else one the developer replaces. */
function tryItRequest(purposeId: string, today: string, authorization: string): SampleRequest {
  const headers = { Authorization: authorization };
  return purposeId === SAMPLE_CLAIMS.purposeId
    ? sampleRequest(today, headers)
    : { query: '{ __typename }', variables: {}, headers };
}

function signCommandLine(
  keyPath: string,
  purposeId: string,
  agent: string,
  reason: string | undefined,
  audience: string,
): string {
  return [
    'npm run --silent passerelle -- sandbox sign',
    `--key ${shellQuote(shownPath(keyPath))}`,
    `--purpose ${shellQuote(purposeId)}`,
    `--agent ${shellQuote(agent)}`,
    ...(reason === undefined ? [] : [`--reason ${shellQuote(reason)}`]),
    ...(audience === DEFAULT_AUDIENCE ? [] : [`--audience ${shellQuote(audience)}`]),
  ].join(' ');
}

export type SandboxCredentials = {
  key: ReuserKey;
  /** Where the private key was written (mode 0600). */
  keyPath: string;
  assertion: string;
  expiresAt: Date;
  /** The command that signs a fresh assertion with this key. */
  signCommand: string;
};

/**
 * Makes a key pair for the re-user, registers its public key for one day,
 * writes the private key into `<data-dir>/sandbox-credentials/` and signs a
 * first assertion. The caller has checked the re-user and the purpose.
 */
export async function issueSandboxCredentials(
  config: AdminConfig,
  request: {
    reuserId: string;
    purposeId: string;
    agent: string;
    reason?: string;
    audience: string;
  },
): Promise<SandboxCredentials> {
  const keyPair = await generateReuserKeyPair('EdDSA');
  const key = await withKeyRegistry(config, (registry) =>
    registry.addKey(request.reuserId, keyPair.publicJwk, {
      validUntil: new Date(Date.now() + SANDBOX_KEY_VALIDITY_MS),
    }),
  );
  const folder = join(config.dataDir, SANDBOX_CREDENTIALS_FOLDER);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const keyPath = join(folder, `${request.reuserId}-${key.kid}.private.jwk`);
  writeFileSync(keyPath, `${JSON.stringify(keyPair.privateJwk, null, 2)}\n`, {
    flag: 'wx',
    mode: 0o600,
  });
  // The mode given to writeFileSync is filtered by the umask; this one is not.
  chmodSync(keyPath, 0o600);

  const issuedAt = new Date();
  const assertion = await signClientAssertion(
    keyPair.privateJwk,
    {
      reuserId: request.reuserId,
      audience: request.audience,
      purpose: request.purposeId,
      agent: request.agent,
      ...(request.reason === undefined ? {} : { reason: request.reason }),
    },
    { now: issuedAt },
  );
  return {
    key,
    keyPath,
    assertion,
    expiresAt: new Date(issuedAt.getTime() + MAX_ASSERTION_LIFETIME_SECONDS * 1000),
    signCommand: signCommandLine(
      keyPath,
      request.purposeId,
      request.agent,
      request.reason,
      request.audience,
    ),
  };
}

/** `passerelle sandbox credentials ...` */
export function sandboxCredentialsCommand(args: readonly string[]): Promise<number> {
  return runAdminCommand('passerelle sandbox credentials', async () => {
    const parsed = parseOptions(
      args,
      ['reuser', 'purpose', 'agent', 'reason', 'audience'],
      CREDENTIALS_USAGE,
    );
    if (parsed.help !== undefined) {
      console.log(parsed.help);
      return 0;
    }
    const { values } = parsed;
    const config = adminConfigFrom(values);
    requireSandbox(config, 'passerelle sandbox credentials');
    const audience = audienceOption(values);
    const agent = agentOption(values);
    const reason = values.reason?.trim() || undefined;
    const policySet = loadPolicies(config);
    const reuser = requireReuser(policySet, values.reuser);
    const purpose = checkPurpose(policySet, reuser, values.purpose, reason);

    const { key, keyPath, assertion, expiresAt, signCommand } = await issueSandboxCredentials(
      config,
      {
        reuserId: reuser.id,
        purposeId: purpose.id,
        agent,
        audience,
        ...(reason === undefined ? {} : { reason }),
      },
    );
    const request = tryItRequest(purpose.id, todayFor(config), `Bearer ${assertion}`);
    const fresh = signCommand;
    const note = inactiveNote(config, reuser, purpose);
    console.log(`Sandbox credentials for ${reuser.id}, purpose ${purpose.id}, agent ${agent}
  key id       ${key.kid} (${key.algorithm}), registered in ${describeKeyStore(config)} until ${minuteOf(key.validUntil)}
  private key  ${shownPath(keyPath)} (stays on this machine; never share it)
${note === undefined ? '' : `${note}\n`}
Assertion for ${audience}, valid ${MAX_ASSERTION_LIFETIME_SECONDS} s (until ${minuteOf(expiresAt.toISOString())}):
${assertion}

Try it (the sandbox must be running: npm start):
${curlCommand(audience, request)}${request.query === '{ __typename }' ? `\n(replace the query with one selecting what ${purpose.id} grants: npm run passerelle -- policy explain ${purpose.id})` : ''}

An assertion lives ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes; sign a fresh one whenever you need it:
TOKEN=$(${fresh})
${curlCommand(audience, { ...request, headers: {} }).replace(" -H 'content-type: application/json'", ` -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN"`)}`);
    return 0;
  });
}

/** Reads a private JWK written by `sandbox credentials`. */
function readPrivateJwk(path: string | undefined): JWK & { kid: string } {
  if (path === undefined || path === '') {
    throw new CommandInputError(
      `give the private key with --key <file>, as written by passerelle sandbox credentials in <data-dir>/${SANDBOX_CREDENTIALS_FOLDER}/`,
    );
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandInputError(
      code === undefined
        ? `--key ${path} is not JSON: give the .private.jwk file written by passerelle sandbox credentials`
        : `cannot read --key ${path} (${code}): give the .private.jwk file written by passerelle sandbox credentials`,
    );
  }
  if (
    typeof jwk !== 'object' ||
    jwk === null ||
    typeof jwk.d !== 'string' ||
    typeof jwk.kid !== 'string'
  ) {
    throw new CommandInputError(
      `--key ${path} is not a private key with its "kid": give the .private.jwk file written by passerelle sandbox credentials`,
    );
  }
  if (jwk.alg !== 'EdDSA' && jwk.alg !== 'ES256') {
    throw new CommandInputError(
      `--key ${path} must say its algorithm: "alg" is "EdDSA" or "ES256"`,
    );
  }
  return jwk as JWK & { kid: string };
}

/** `passerelle sandbox sign ...` */
export function sandboxSignCommand(args: readonly string[]): Promise<number> {
  return runAdminCommand('passerelle sandbox sign', async () => {
    const parsed = parseOptions(
      args,
      ['key', 'purpose', 'agent', 'reason', 'audience'],
      SIGN_USAGE,
    );
    if (parsed.help !== undefined) {
      console.log(parsed.help);
      return 0;
    }
    const { values } = parsed;
    const config = adminConfigFrom(values);
    requireSandbox(config, 'passerelle sandbox sign');
    const audience = audienceOption(values);
    const agent = agentOption(values);
    const reason = values.reason?.trim() || undefined;
    const privateJwk = readPrivateJwk(values.key);
    // The registry says whose key it is, and whether the gateway would still accept it.
    const key = await withKeyRegistry(config, (registry) => registry.findKey(privateJwk.kid));
    if (key === undefined) {
      throw new CommandInputError(
        `the key ${privateJwk.kid} is not registered in ${describeKeyStore(config)}: create credentials with passerelle sandbox credentials (same --data-dir)`,
      );
    }
    const state = keyStateAt(key, new Date());
    if (state !== 'usable') {
      throw new CommandInputError(
        `the key ${key.kid} is ${state}: create new credentials with passerelle sandbox credentials --reuser ${key.reuserId} --purpose <id>`,
      );
    }
    const policySet = loadPolicies(config);
    const reuser = requireReuser(policySet, key.reuserId);
    const purpose = checkPurpose(policySet, reuser, values.purpose, reason);
    console.log(
      await signClientAssertion(privateJwk, {
        reuserId: reuser.id,
        audience,
        purpose: purpose.id,
        agent,
        ...(reason === undefined ? {} : { reason }),
      }),
    );
    return 0;
  });
}
