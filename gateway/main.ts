import { AccessLogError } from './accessLog/index.js';
import { CompositionError, SubgraphSdlError } from './composition/index.js';
import { ConfigError, loadGatewayConfig } from './config/index.js';
import {
  ContextKeyError,
  GatewayListenError,
  type GatewayReadyMessage,
  KeyRegistryError,
  PolicyLoadError,
  startGateway,
} from './index.js';
import { createProcessLogger } from './logging/index.js';

/**
 * Gateway process entry. Started alone (`node dist/gateway/main.js`) with
 * PASSERELLE_SUBGRAPHS set, or forked by the `passerelle start` launcher,
 * which waits for the IPC ready message. SIGTERM / SIGINT stop it gracefully
 * (exit 0); a startup failure prints its cause and exits 1.
 */

/** Failures whose message already says what to fix: no stack needed. */
function isExplainedStartupFailure(error: unknown): error is Error {
  return (
    error instanceof ConfigError ||
    error instanceof ContextKeyError ||
    error instanceof CompositionError ||
    error instanceof SubgraphSdlError ||
    error instanceof GatewayListenError ||
    error instanceof PolicyLoadError ||
    error instanceof KeyRegistryError ||
    error instanceof AccessLogError
  );
}

try {
  const config = loadGatewayConfig();
  const logger = createProcessLogger(config.logLevel);
  const gateway = await startGateway(config, { logger });

  const shutdown = async (reason: string) => {
    logger.info({ reason }, 'stopping');
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // A launcher that dies must not leave an orphan gateway behind.
  process.once('disconnect', () => void shutdown('launcher disconnected'));

  const ready: GatewayReadyMessage = { type: 'ready', url: gateway.url };
  process.send?.(ready);
} catch (error) {
  const explanation = isExplainedStartupFailure(error)
    ? error.message
    : `unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`passerelle gateway failed to start. ${explanation}\n`);
  process.exit(1);
}
