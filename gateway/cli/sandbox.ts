import { sandboxGenerateCommand } from '../../subgraphs/sandbox/index.js';
import type { Command } from './command.js';
import { sandboxCredentialsCommand, sandboxSignCommand } from './sandboxCredentials.js';

const USAGE = `Usage: passerelle sandbox <subcommand> [options]

Subcommands:
  generate      generate the fictitious dataset
  credentials   a key pair, its public key registered for a day, and a signed assertion to try the API
  sign          a fresh assertion signed with the key made by credentials

Run "passerelle sandbox <subcommand> --help" for its options.`;

const SUBCOMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  generate: sandboxGenerateCommand,
  credentials: sandboxCredentialsCommand,
  sign: sandboxSignCommand,
};

/** `passerelle sandbox ...`: tools for the sandbox twin of the API. */
export const sandboxCommand: Command = {
  summary: 'sandbox tools: generate the fictitious dataset, get credentials to try the API',
  async run(args) {
    const [subcommand, ...rest] = args;
    if (subcommand === '--help' || subcommand === '-h') {
      console.log(USAGE);
      return 0;
    }
    const run = subcommand === undefined ? undefined : SUBCOMMANDS[subcommand];
    if (run !== undefined && subcommand !== undefined && Object.hasOwn(SUBCOMMANDS, subcommand)) {
      return run(rest);
    }
    console.error(
      `passerelle sandbox: ${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}\n\n${USAGE}`,
    );
    return 2;
  },
};
