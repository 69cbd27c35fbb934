/**
 * Process entry generating the sandbox dataset (used where the `passerelle`
 * command line is not at hand, e.g. the deployment's data job). Same options
 * as `passerelle sandbox generate`.
 */
import { sandboxGenerateCommand } from './command.js';

process.exitCode = await sandboxGenerateCommand(process.argv.slice(2));
