import { existsSync } from 'node:fs';
import {
  DATA_HOLDERS,
  type DataHolderName,
  holderAccessLogPath,
  searchHolderAccessLog,
  verifyHolderAccessLog,
} from '../../subgraphs/kit/index.js';
import {
  adminConfigFrom,
  CommandFailure,
  CommandInputError,
  parseCommandArgs,
  runAdminCommand,
  shownPath,
  wholeNumberOption,
} from './adminCommand.js';
import type { Command } from './command.js';
import { textTable } from './textTable.js';

const USAGE = `Usage: passerelle holder-log <subcommand> --holder <name> [options]

A data holder's own copy of the access log (DOMAIN.md T2): one record per
request the gateway sent it for a purpose, linked to the gateway's log by
request id and trace id, hash-chained.

Subcommands:
  verify
      check the chain (sequence, links, hashes); exit 1 and print the first record
      that does not verify when the log was altered
  search [--trace <id>] [--request <id>] [--subject <person id>] [--limit <n>]
      records, newest first (default limit 100); --subject hashes the person's id
      with the holder's own subject reference key

Options:
  --holder <name>         ${DATA_HOLDERS.join(', ')}
  --json                  machine-readable output
  --data-dir <path>       data folder of the system   [PASSERELLE_DATA_DIR, ./data]

The log is <data-dir>/holder-logs/<holder>-access-log.sqlite.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  holder: { type: 'string' },
  trace: { type: 'string' },
  request: { type: 'string' },
  subject: { type: 'string' },
  limit: { type: 'string' },
} as const;

function holderOption(text: string | undefined): DataHolderName {
  const holder = DATA_HOLDERS.find((name) => name === text);
  if (holder === undefined) {
    throw new CommandInputError(
      `--holder must name a data holder (${DATA_HOLDERS.join(', ')}), got ${text === undefined ? 'none' : `"${text}"`}`,
    );
  }
  return holder;
}

async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const [subcommand, ...extra] = positionals;
  if ((subcommand !== 'verify' && subcommand !== 'search') || extra.length > 0) {
    throw new CommandInputError(`expected "verify" or "search"\n\n${USAGE}`);
  }
  const holder = holderOption(values.holder);
  const { dataDir } = adminConfigFrom({ 'data-dir': values['data-dir'] });
  const path = holderAccessLogPath(dataDir, holder);
  if (!existsSync(path)) {
    throw new CommandFailure(
      `no access log for data holder ${holder} at ${shownPath(path)}: it has not served a request yet, or --data-dir is not its data folder`,
    );
  }
  const location = { dataDir, holder };
  if (subcommand === 'verify') {
    const verification = verifyHolderAccessLog(location);
    if (values.json === true) console.log(JSON.stringify(verification));
    else if (verification.ok) {
      console.log(`${holder}: ${verification.records} records, chain intact`);
    } else {
      console.log(
        `${holder}: record ${verification.sequence} does not verify (${verification.problem}); ${verification.records} records before it verify`,
      );
    }
    return verification.ok ? 0 : 1;
  }
  const records = await searchHolderAccessLog({
    ...location,
    traceId: values.trace,
    requestId: values.request,
    personId: values.subject,
    limit: values.limit === undefined ? 100 : wholeNumberOption(values.limit, '--limit', 1, 10_000),
  });
  if (values.json === true) {
    console.log(JSON.stringify(records));
    return 0;
  }
  console.log(
    textTable([
      ['#', 'timestamp', 'request', 'trace', 're-user', 'purpose', 'outcome', 'fields', 'subjects'],
      ...records.map((record) => [
        String(record.sequence),
        record.timestamp,
        record.requestId,
        record.traceId,
        record.reuserId,
        record.purposeId,
        record.outcome.status === 'served' ? 'served' : `refused ${record.outcome.code}`,
        String(record.coordinates.length),
        String(record.subjectRefs.length),
      ]),
    ]),
  );
  return 0;
}

export const holderLogCommand: Command = {
  summary: "a data holder's own access log: verify its chain, search it by trace or request id",
  run: (args) => runAdminCommand('passerelle holder-log', () => run(args)),
};
