import { sandboxGenerateCommand } from '../../subgraphs/sandbox/index.js';
import type { Command } from './command.js';

const USAGE = `Usage: passerelle sandbox <subcommand> [options]

Subcommands:
  generate   generate the fictitious dataset (--help for its options)`;

/** `passerelle sandbox ...`: tools for the sandbox twin of the API. */
export const sandboxCommand: Command = {
  summary: 'sandbox tools: generate the fictitious dataset',
  async run(args) {
    const [subcommand, ...rest] = args;
    if (subcommand === 'generate') return sandboxGenerateCommand(rest);
    if (subcommand === '--help' || subcommand === '-h') {
      console.log(USAGE);
      return 0;
    }
    console.error(
      `passerelle sandbox: ${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}\n\n${USAGE}`,
    );
    return 2;
  },
};
