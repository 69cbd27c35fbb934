import { endOfParisDay } from '../../policies/engine/index.js';
import {
  AccessLogError,
  type AccessLogFilter,
  type AccessLogStore,
  accessLogStoreFor,
  type BrokenLinkReason,
  type ChainedAccessRecord,
  type CheckpointKey,
  createSubjectReferencer,
  ensureCheckpointKey,
  openAccessLogStore,
  readCheckpointPublicKey,
  readSubjectReferenceKey,
  retentionFor,
} from '../accessLog/index.js';
import type { AdminConfig } from '../config/index.js';
import { describePostgresUrl } from '../keyRegistry/index.js';
import {
  ADMIN_OPTIONS,
  ADMIN_OPTIONS_USAGE,
  adminConfigFrom,
  CommandFailure,
  CommandInputError,
  calendarDateOption,
  optionList,
  parseCommandArgs,
  runAdminCommand,
  shownPath,
  wholeNumberOption,
} from './adminCommand.js';
import type { Command } from './command.js';
import { textTable } from './textTable.js';

const USAGE = `Usage: passerelle log <subcommand> [options]

The access log: who accessed which person's data, when, for which purpose,
and with what outcome (one record per request, hash-chained and signed).

Subcommands:
  verify [--public-key <file>]
      check every chain (links, hashes, sequence, signed checkpoints); exit 1 and
      print the first broken link when the log was altered
  search [--subject <person id>] [--reuser <id>] [--purpose <id>] [--outcome allowed|denied|error]
         [--from <date>] [--to <date>] [--limit <n>]
      records, newest first (default limit 100); --subject takes the person's id and
      hashes it with the subject reference key, as the gateway does
  purge [--before <date> | --retention <duration>] [--force]
      delete the records older than the date, or than the retention (default
      PASSERELLE_LOG_RETENTION, 1y); a signed checkpoint at the cut keeps the rest
      verifiable. Under 6 months is refused without --force (DOMAIN.md T3).

Dates are YYYY-MM-DD (the start of that day in Paris) or ISO 8601 instants.
Durations: 1y, 9m (months), 400d, 30w.

Options:
  --json                  machine-readable output
  --public-key <file>     checkpoint public key to verify with   [<data-dir>/keys/access-log-checkpoint.public.jwk]
${ADMIN_OPTIONS_USAGE}
The access log is in the same store as the key registry (access-log.sqlite beside it).`;

const OPTIONS = {
  ...ADMIN_OPTIONS,
  json: { type: 'boolean' },
  'public-key': { type: 'string' },
  subject: { type: 'string' },
  reuser: { type: 'string' },
  purpose: { type: 'string' },
  outcome: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  before: { type: 'string' },
  retention: { type: 'string' },
  force: { type: 'boolean' },
} as const;
type Option = keyof typeof OPTIONS;

/** Options each subcommand accepts beside --data-dir, --policies-dir, --help and --json. */
const SUBCOMMAND_OPTIONS: Readonly<Record<string, readonly Option[]>> = {
  verify: ['public-key'],
  search: ['subject', 'reuser', 'purpose', 'outcome', 'from', 'to', 'limit', 'public-key'],
  purge: ['before', 'retention', 'force'],
};

const REASONS: Readonly<Record<BrokenLinkReason, string>> = {
  'record-missing':
    'the record is missing (deleted, or the start of the chain cut without a signed purge)',
  'link-mismatch': 'the record does not follow the one before it (records reordered or replaced)',
  'hash-mismatch': 'the record was modified after it was written',
  'checkpoint-signature': 'a checkpoint signature is invalid (forged, altered, or another key)',
  'checkpoint-mismatch':
    'a signed checkpoint contradicts the record at its sequence (chain rewritten)',
  'head-mismatch':
    "the chain's recorded head does not match its last record (records removed at the end)",
};

type Values = ReturnType<typeof parseLogArgs>['values'];

function parseLogArgs(args: readonly string[]) {
  return parseCommandArgs(args, OPTIONS);
}

function say(message: string): void {
  console.log(message);
}

/** `YYYY-MM-DD` (the start of that day in Paris) or an ISO 8601 instant. */
function instantOption(text: string, flag: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = calendarDateOption(text, flag);
    const previous = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000)
      .toISOString()
      .slice(0, 10);
    return endOfParisDay(previous);
  }
  const instant = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(instant.getTime())) {
    throw new CommandInputError(
      `${flag} must be a date written YYYY-MM-DD or an ISO 8601 instant (2026-03-02T09:00:00Z), got "${text}"`,
    );
  }
  return instant;
}

function describeLogStore(config: AdminConfig): string {
  return config.databaseUrl === undefined
    ? shownPath(`${config.dataDir}/access-log.sqlite`)
    : `${describePostgresUrl(config.databaseUrl)}, schema ${config.databaseSchema}`;
}

/** Access-log refusals as the CLI's: the operator's input (exit 2) or something else (exit 1). */
async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AccessLogError)) throw error;
    if (error.code === 'ARGUMENT_INVALID' || error.code === 'RETENTION_TOO_SHORT') {
      throw new CommandInputError(error.message);
    }
    throw new CommandFailure(error.message);
  }
}

async function withLog<T>(
  config: AdminConfig,
  key: CheckpointKey,
  work: (log: AccessLogStore) => Promise<T>,
): Promise<T> {
  const log = await openAccessLogStore({ ...accessLogStoreFor(config), checkpointKey: key });
  try {
    return await work(log);
  } finally {
    await log.close();
  }
}

function publicKeyOf(config: AdminConfig, values: Values): Promise<CheckpointKey> {
  return readCheckpointPublicKey(
    values['public-key'] ?? config.accessLog.checkpointKey.publicKeyFile,
  );
}

async function verify(values: Values): Promise<number> {
  const config = adminConfigFrom(values);
  const key = await publicKeyOf(config, values);
  const result = await withLog(config, key, (log) => log.verify());
  if (values.json === true) {
    say(JSON.stringify(result, null, 2));
  } else if (result.ok) {
    say(
      `access log intact: ${result.records} record(s) in ${result.chains} chain(s), ${describeLogStore(config)}`,
    );
  } else {
    const { chain, sequence, reason } = result.firstBroken;
    say(
      `access log BROKEN: first broken link in chain ${chain} at sequence ${sequence}: ${reason}\n  ${REASONS[reason]}\nKeep the store as it is for investigation; do not purge it.`,
    );
  }
  return result.ok ? 0 : 1;
}

function outcomeText(record: ChainedAccessRecord): string {
  return record.outcome.status === 'allowed'
    ? 'allowed'
    : `${record.outcome.status} ${record.outcome.code}`;
}

async function search(values: Values): Promise<number> {
  const config = adminConfigFrom(values);
  const filter: AccessLogFilter = {};
  if (values.subject !== undefined) {
    const subjectKey = await readSubjectReferenceKey(config.accessLog.subjectReferenceKeyFile);
    if (subjectKey === undefined) {
      throw new CommandFailure(
        `no subject reference key at ${shownPath(config.accessLog.subjectReferenceKeyFile)}: the gateway creates it at its first start; without it no person can be searched`,
      );
    }
    filter.subjectRef = createSubjectReferencer(subjectKey)(values.subject);
  }
  if (values.reuser !== undefined) filter.reuserId = values.reuser;
  if (values.purpose !== undefined) filter.purposeId = values.purpose;
  if (values.outcome !== undefined) {
    if (!['allowed', 'denied', 'error'].includes(values.outcome)) {
      throw new CommandInputError(
        `--outcome must be allowed, denied or error, got "${values.outcome}"`,
      );
    }
    filter.outcome = values.outcome as AccessLogFilter['outcome'];
  }
  if (values.from !== undefined) filter.from = instantOption(values.from, '--from');
  if (values.to !== undefined) filter.to = instantOption(values.to, '--to');
  if (values.limit !== undefined)
    filter.limit = wholeNumberOption(values.limit, '--limit', 1, 10_000);
  const key = await publicKeyOf(config, values);
  const records = await withLog(config, key, (log) => log.search(filter));
  if (values.json === true) {
    say(JSON.stringify(records, null, 2));
    return 0;
  }
  if (records.length === 0) {
    say(`no access record matches, in ${describeLogStore(config)}`);
    return 0;
  }
  say(
    textTable([
      [
        'TIME (UTC)',
        'RE-USER',
        'AGENT',
        'PURPOSE',
        'OPERATION',
        'FIELDS',
        'SUBJECTS',
        'OUTCOME',
        'REQUEST',
      ],
      ...records.map((record) => [
        record.timestamp.replace('T', ' ').replace(/\.\d{3}Z$/, ''),
        record.reuserId,
        record.agent,
        record.purposeId,
        `${record.operationType ?? '-'} ${record.operationName ?? ''}`.trim(),
        String(record.coordinates.length),
        String(record.subjectRefs.length),
        outcomeText(record),
        record.requestId,
      ]),
    ]),
  );
  return 0;
}

async function purge(values: Values): Promise<number> {
  if (values.before !== undefined && values.retention !== undefined) {
    throw new CommandInputError('give --before or --retention, not both');
  }
  const config = adminConfigFrom(values);
  const force = values.force === true;
  const now = new Date();
  let before: Date;
  if (values.before !== undefined) {
    before = instantOption(values.before, '--before');
    // The same floor as a retention: nothing younger than 6 months without --force.
    const floor = retentionFor('6m').cutoff(now);
    if (before.getTime() > floor.getTime() && !force) {
      throw new CommandInputError(
        `--before ${values.before} would delete records younger than 6 months, the minimum retention (DOMAIN.md T3); choose ${floor.toISOString().slice(0, 10)} or earlier, or add --force deliberately`,
      );
    }
  } else {
    const retention =
      values.retention === undefined
        ? config.accessLog.retention
        : retentionFor(values.retention, { force });
    before = retention.cutoff(now);
  }
  // Never generate a key here: a new key could not continue the existing chain's checkpoints.
  await publicKeyOf(config, values);
  const key = await ensureCheckpointKey(config.accessLog.checkpointKey);
  const result = await withLog(config, key, (log) => log.purge(before));
  if (values.json === true) {
    say(JSON.stringify({ before: before.toISOString(), ...result }, null, 2));
    return 0;
  }
  say(
    result.purged === 0
      ? `nothing to purge: no record before ${before.toISOString()} in ${describeLogStore(config)}`
      : `purged ${result.purged} record(s) before ${before.toISOString()}; signed checkpoint at ${result.cuts
          .map((cut) => `${cut.chain}#${cut.sequence}`)
          .join(', ')}`,
  );
  return 0;
}

/** `passerelle log ...`: verify, search and purge the access log. */
export const logCommand: Command = {
  summary: 'verify, search and purge the access log',
  run(args) {
    return runAdminCommand('passerelle log', () =>
      translated(async () => {
        const { values, positionals } = parseLogArgs(args);
        const [subcommand, ...extra] = positionals;
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
          (option) =>
            !Object.hasOwn(ADMIN_OPTIONS, option) &&
            option !== 'json' &&
            !allowed.includes(option as Option),
        );
        if (misplaced.length > 0) {
          throw new CommandInputError(
            `${optionList(misplaced, 'does', 'do')} not apply to log ${subcommand}; see passerelle log --help`,
          );
        }
        if (extra.length > 0) {
          throw new CommandInputError(
            `unexpected argument "${extra[0]}"; see passerelle log --help`,
          );
        }
        switch (subcommand) {
          case 'verify':
            return verify(values);
          case 'search':
            return search(values);
          default:
            return purge(values);
        }
      }),
    );
  },
};
