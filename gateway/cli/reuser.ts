import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  formatProblems,
  isReuserGrantActive,
  loadPolicySet,
  type PolicyProblem,
} from '../../policies/engine/index.js';
import type { AdminConfig } from '../config/index.js';
import { keyStateAt, type ReuserKey } from '../keyRegistry/index.js';
import {
  ADMIN_OPTIONS,
  ADMIN_OPTIONS_USAGE,
  adminConfigFrom,
  CommandInputError,
  calendarDateOption,
  loadPolicies,
  optionList,
  parseCommandArgs,
  requireReuser,
  runAdminCommand,
  shownPath,
  todayFor,
  withKeyRegistry,
} from './adminCommand.js';
import type { Command } from './command.js';
import { keyTable } from './keyTable.js';
import { composeRepositorySupergraph } from './sandboxSupergraph.js';
import { textTable } from './textTable.js';

const USAGE = `Usage: passerelle reuser <subcommand> [options]

Re-users are declared in the policy files (policies/reusers/<id>.yaml), which
are the source of truth; their keys are in the key registry.

Subcommands:
  list
      every declared re-user, its purposes and its usable keys
  show <id>
      one re-user: organisation, contacts, purposes with their validity, keys
  add --id <id> --name <name> --organisation-number <SIRET> --email <technical contact>
      --purpose <purpose> --valid-until YYYY-MM-DD [--purpose <p> --valid-until <d>]...
      [--valid-from YYYY-MM-DD]
      write policies/reusers/<id>.yaml, authorised for each purpose from --valid-from
      (default today) to its --valid-until, once it passes the policy check;
      review and commit the file like any other policy change

Options:
${ADMIN_OPTIONS_USAGE}`;

const OPTIONS = {
  ...ADMIN_OPTIONS,
  id: { type: 'string' },
  name: { type: 'string' },
  'organisation-number': { type: 'string' },
  email: { type: 'string' },
  purpose: { type: 'string', multiple: true },
  'valid-until': { type: 'string', multiple: true },
  'valid-from': { type: 'string' },
} as const;

/** The options only `add` takes. */
const ADD_OPTIONS = Object.keys(OPTIONS).filter((option) => !Object.hasOwn(ADMIN_OPTIONS, option));

/** Policy ids are file names too. */
const POLICY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const SCHEMA_COMMENT = '# yaml-language-server: $schema=../schema/reuser.schema.json';

function say(message: string): void {
  console.log(message);
}

type Parsed = ReturnType<typeof parseReuserArgs>;

function parseReuserArgs(args: readonly string[]) {
  return parseCommandArgs(args, OPTIONS);
}

async function list(config: AdminConfig): Promise<number> {
  const policySet = loadPolicies(config);
  const keys = await withKeyRegistry(config, (registry) => registry.listKeys());
  const now = new Date();
  const rows = [...policySet.reusers.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((reuser) => {
      const own = keys.filter((key) => key.reuserId === reuser.id);
      const usable = own.filter((key) => keyStateAt(key, now) === 'usable').length;
      return [
        reuser.id,
        reuser.name,
        reuser.purposes.map((grant) => grant.purpose).join(', '),
        `${usable} usable / ${own.length}`,
      ];
    });
  say(textTable([['ID', 'NAME', 'PURPOSES', 'KEYS'], ...rows]));
  return 0;
}

function keysSection(reuserId: string, keys: readonly ReuserKey[]): string {
  return keys.length === 0
    ? `    none: register one with passerelle key add --reuser ${reuserId} --jwk <public.jwk>`
    : keyTable(keys, new Date(), '    ');
}

async function show(config: AdminConfig, reuserId: string | undefined): Promise<number> {
  if (reuserId === undefined) {
    throw new CommandInputError('name the re-user: passerelle reuser show <id>');
  }
  const reuser = requireReuser(loadPolicies(config), reuserId);
  const keys = await withKeyRegistry(config, (registry) => registry.listKeys(reuser.id));
  const today = todayFor(config);
  const purposes = textTable(
    reuser.purposes.map((grant) => [
      grant.purpose,
      `${grant.validFrom} to ${grant.validUntil}`,
      isReuserGrantActive(grant, today) ? 'active' : `not active on ${today}`,
    ]),
    '    ',
  );
  const contacts = reuser.contacts
    .map(
      (contact) =>
        `    ${contact.role}: ${contact.name === undefined ? '' : `${contact.name} `}<${contact.email}>`,
    )
    .join('\n');
  say(`${reuser.id}: ${reuser.name}
  organisation number  ${reuser.organisationNumber}
  declared in          ${shownPath(reuser.source.file)}
  allowed addresses    ${reuser.allowedIps === undefined ? 'any' : reuser.allowedIps.join(', ')}
  webhook              ${reuser.webhookUrl ?? 'none'}
  contacts
${contacts}
  purposes
${purposes}
  keys
${keysSection(reuser.id, keys)}`);
  return 0;
}

type PurposeGrantOption = { purpose: string; validUntil?: string };

/**
 * Pairs each --purpose with the --valid-until that follows it, in the order
 * they were typed.
 */
function purposeGrants(tokens: Parsed['tokens']): PurposeGrantOption[] {
  const grants: PurposeGrantOption[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'purpose') grants.push({ purpose: token.value ?? '' });
    if (token.name === 'valid-until') {
      const last = grants.at(-1);
      if (last === undefined || last.validUntil !== undefined) {
        throw new CommandInputError(
          `--valid-until ${token.value ?? ''} must follow the --purpose it limits, e.g. --purpose school-canteen-pricing --valid-until 2027-08-31`,
        );
      }
      last.validUntil = calendarDateOption(token.value ?? '', '--valid-until');
    }
  }
  if (grants.length === 0) {
    throw new CommandInputError(
      'give at least one purpose: --purpose <id> --valid-until YYYY-MM-DD (passerelle policy check lists the purposes)',
    );
  }
  for (const grant of grants) {
    if (grant.validUntil === undefined) {
      throw new CommandInputError(
        `--purpose ${grant.purpose} needs its end date: add --valid-until YYYY-MM-DD right after it`,
      );
    }
  }
  return grants;
}

/** The option to change for a problem the policy check found in the new file. */
function optionAt(path: string, grants: readonly PurposeGrantOption[]): string {
  const top = path.split('.')[0] ?? '';
  const simple: Readonly<Record<string, string>> = {
    id: '--id',
    name: '--name',
    organisationNumber: '--organisation-number',
    contacts: '--email',
  };
  if (simple[top] !== undefined) return simple[top];
  const match = /^purposes\.(\d+)(?:\.(\w+))?/.exec(path);
  const grant = match === null ? undefined : grants[Number(match[1])];
  if (match === null || grant === undefined) return path === '' ? 'the new file' : path;
  if (match[2] === 'validFrom') return '--valid-from';
  if (match[2] === 'validUntil')
    return `--valid-until ${grant.validUntil} (of --purpose ${grant.purpose})`;
  return `--purpose ${grant.purpose}`;
}

/** The new file, as policy authors write them. */
function reuserFileText(fields: {
  id: string;
  name: string;
  organisationNumber: string;
  email: string;
  validFrom: string;
  grants: readonly PurposeGrantOption[];
}): string {
  const body = stringify(
    {
      id: fields.id,
      organisationNumber: fields.organisationNumber,
      name: fields.name,
      contacts: [{ role: 'technical', email: fields.email }],
      purposes: fields.grants.map((grant) => ({
        purpose: grant.purpose,
        validFrom: fields.validFrom,
        validUntil: grant.validUntil,
      })),
    },
    { singleQuote: true },
  );
  return `${SCHEMA_COMMENT}\n${body}`;
}

/**
 * Checks the policy set as it would be with the new file, in a copy of the
 * policies folder, so that nothing is written unless it loads.
 */
function problemsWith(
  config: AdminConfig,
  fileName: string,
  text: string,
): { ownProblems: PolicyProblem[]; otherProblems: PolicyProblem[] } {
  const copy = mkdtempSync(join(tmpdir(), 'passerelle-reuser-add-'));
  try {
    for (const folder of ['purposes', 'reusers']) {
      const source = join(config.policiesDir, folder);
      if (existsSync(source)) cpSync(source, join(copy, folder), { recursive: true });
    }
    const candidate = join(copy, 'reusers', fileName);
    writeFileSync(candidate, text, { flag: 'wx' });
    const result = loadPolicySet({
      dir: copy,
      schemaSdl: composeRepositorySupergraph(),
      scope: { kind: 'supergraph' },
    });
    if (result.ok) return { ownProblems: [], otherProblems: [] };
    const errors = result.problems
      .filter((problem) => problem.severity !== 'warning')
      .map((problem) => ({ ...problem, file: problem.file.replace(copy, config.policiesDir) }));
    return {
      ownProblems: errors.filter((problem) => problem.file.endsWith(`reusers/${fileName}`)),
      otherProblems: errors.filter((problem) => !problem.file.endsWith(`reusers/${fileName}`)),
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

async function add(config: AdminConfig, parsed: Parsed): Promise<number> {
  const { values } = parsed;
  const required = ['id', 'name', 'organisation-number', 'email'] as const;
  const missing = required.filter((option) => (values[option] ?? '').trim() === '');
  if (missing.length > 0) {
    throw new CommandInputError(
      `missing ${missing.map((option) => `--${option}`).join(', ')}; see passerelle reuser --help`,
    );
  }
  const id = values.id ?? '';
  if (!POLICY_ID.test(id)) {
    throw new CommandInputError(
      `--id "${id}" must be lower-case kebab-case, e.g. commune-de-bellerive: it becomes the file name`,
    );
  }
  const grants = purposeGrants(parsed.tokens);
  const validFrom =
    values['valid-from'] === undefined
      ? todayFor(config)
      : calendarDateOption(values['valid-from'], '--valid-from');
  const fileName = `${id}.yaml`;
  const target = join(config.policiesDir, 'reusers', fileName);
  if (existsSync(target)) {
    throw new CommandInputError(
      `re-user "${id}" already exists: edit ${shownPath(target)} instead, or choose another --id`,
    );
  }
  const text = reuserFileText({
    id,
    name: (values.name ?? '').trim(),
    organisationNumber: (values['organisation-number'] ?? '').trim(),
    email: (values.email ?? '').trim(),
    validFrom,
    grants,
  });
  const { ownProblems, otherProblems } = problemsWith(config, fileName, text);
  if (otherProblems.length > 0) {
    throw new CommandInputError(
      `the policy files already have problems; fix them first (passerelle policy check):\n${formatProblems(otherProblems)}`,
    );
  }
  if (ownProblems.length > 0) {
    const lines = ownProblems.map(
      (problem) =>
        `  ${optionAt(problem.path, grants)}: ${problem.message}${problem.suggestion === undefined ? '' : ` (${problem.suggestion})`}`,
    );
    throw new CommandInputError(
      `the re-user would not pass the policy check:\n${lines.join('\n')}`,
    );
  }
  writeFileSync(target, text, { flag: 'wx' });
  say(`wrote ${shownPath(target)}
  review and commit it like any policy change (passerelle policy diff <ref> shows the access it grants);
  then register the re-user's public key: passerelle key add --reuser ${id} --jwk <public.jwk>`);
  return 0;
}

/** `passerelle reuser ...`: the re-users declared in the policies, and their keys. */
export const reuserCommand: Command = {
  summary: 'list, show and declare re-users (policy files) with their keys',
  run(args) {
    return runAdminCommand('passerelle reuser', async () => {
      const parsed = parseReuserArgs(args);
      const { values, positionals } = parsed;
      const [subcommand, argument, ...extra] = positionals;
      if (values.help === true) {
        say(USAGE);
        return 0;
      }
      if (subcommand !== 'list' && subcommand !== 'show' && subcommand !== 'add') {
        throw new CommandInputError(
          `${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}\n\n${USAGE}`,
        );
      }
      const misplaced =
        subcommand === 'add' ? [] : ADD_OPTIONS.filter((option) => Object.hasOwn(values, option));
      if (misplaced.length > 0) {
        throw new CommandInputError(
          `${optionList(misplaced, 'applies', 'apply')} only to reuser add`,
        );
      }
      const unexpected = subcommand === 'show' ? extra[0] : (argument ?? extra[0]);
      if (unexpected !== undefined) {
        throw new CommandInputError(
          `unexpected argument "${unexpected}"; see passerelle reuser --help`,
        );
      }
      const config = adminConfigFrom(values);
      switch (subcommand) {
        case 'list':
          return list(config);
        case 'show':
          return show(config, argument);
        case 'add':
          return add(config, parsed);
      }
    });
  },
};
