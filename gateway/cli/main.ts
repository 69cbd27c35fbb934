#!/usr/bin/env node
import type { Command } from './command.js';
import { contextKeyCommand } from './contextKey.js';
import { holderLogCommand } from './holderLog.js';
import { keyCommand } from './key.js';
import { logCommand } from './log.js';
import { policyCommand } from './policy.js';
import { reuserCommand } from './reuser.js';
import { sandboxCommand } from './sandbox.js';
import { startCommand } from './start.js';

/**
 * The `passerelle` command line. Each subcommand is an entry of this table.
 */
const COMMANDS: Readonly<Record<string, Command>> = {
  start: startCommand,
  sandbox: sandboxCommand,
  policy: policyCommand,
  reuser: reuserCommand,
  key: keyCommand,
  'context-key': contextKeyCommand,
  log: logCommand,
  'holder-log': holderLogCommand,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return `Usage: passerelle <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "passerelle <command> --help" for a command's options.`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`passerelle: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(args);
}

try {
  // exitCode rather than exit(): lets the forwarded child output drain first.
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(
    `passerelle: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
