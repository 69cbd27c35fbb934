import { parseArgs } from 'node:util';
import { ConfigError, loadLauncherConfig } from '../config/index.js';
import { ContextKeyError, ensureGatewayContextKey } from '../contextToken/index.js';
import type { Command } from './command.js';

const USAGE = `Usage: passerelle context-key [--data-dir <path>]

Makes sure the gateway's context key pair exists, generating it on first use,
and prints where the data holders find its public half. The gateway signs the
context of every subgraph call with it; the data holders refuse to start
without the public key. \`passerelle start\` and the gateway do this
themselves: this command is for deployments that start the data holders
first (docker-compose.yml).

Options:
  --data-dir <path>   data folder holding keys/    [PASSERELLE_DATA_DIR, ./data]
  -h, --help          show this help

Environment: PASSERELLE_CONTEXT_PRIVATE_KEY_FILE (the operator's key, never
generated in its place), PASSERELLE_GATEWAY_PUBLIC_KEY_FILE (where to publish
the public key).`;

export const contextKeyCommand: Command = {
  summary: "make sure the gateway's context key pair exists (for the data holders)",
  async run(args) {
    let values: { 'data-dir'?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        allowPositionals: false,
      }));
    } catch (error) {
      console.error(
        `passerelle: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
      );
      return 2;
    }
    if (values.help === true) {
      console.log(USAGE);
      return 0;
    }
    try {
      const { contextKey } = loadLauncherConfig({ PASSERELLE_DATA_DIR: values['data-dir'] });
      const key = await ensureGatewayContextKey(contextKey);
      console.log(
        `passerelle: gateway context key ${key.kid} ${key.generated ? 'generated' : 'present'}; public key for the data holders: ${contextKey.publicKeyFile}`,
      );
      return 0;
    } catch (error) {
      if (error instanceof ConfigError || error instanceof ContextKeyError) {
        console.error(`passerelle: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
