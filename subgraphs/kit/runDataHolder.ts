import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { fixedClock, PolicyLoadError, systemClock } from '../../policies/engine/index.js';
import { HolderConfigError, type HolderTlsFiles, readHolderConfig } from './config.js';
import type { DataHolder } from './dataHolder.js';
import { GatewayKeyError, loadGatewayPublicKeys } from './gatewayContext.js';
import {
  HolderAccessLogUnavailableError,
  openHolderAccessLog,
  purgeHolderAccessLog,
} from './holderAccessLog.js';
import { watchHolderPolicies } from './holderPolicies.js';
import type { HolderTls } from './httpServer.js';
import { openHolderStore } from './store.js';
import { holderStorePath } from './storeLayout.js';
import { installHolderTelemetry } from './telemetry.js';

/** Message a holder process sends its parent (over IPC) once it listens. */
export type HolderReadyMessage = { type: 'ready'; holder: string; url: string };

/** A TLS file that cannot be read: the holder would not serve what the operator asked. */
class HolderTlsError extends Error {
  override readonly name = 'HolderTlsError';
}

async function readTlsFiles(files: HolderTlsFiles): Promise<HolderTls> {
  const read = async (variable: string, file: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new HolderTlsError(`cannot read ${variable} ${file} (${code})`);
    }
  };
  return {
    cert: await read('PASSERELLE_HOLDER_TLS_CERT_FILE', files.certFile),
    key: await read('PASSERELLE_HOLDER_TLS_KEY_FILE', files.keyFile),
    clientCa: await read('PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE', files.clientCaFile),
  };
}

/** Failures whose message says what to fix: no stack needed. */
function isExplainedStartupFailure(error: unknown): error is Error {
  return (
    error instanceof PolicyLoadError ||
    error instanceof HolderConfigError ||
    error instanceof GatewayKeyError ||
    error instanceof HolderTlsError ||
    error instanceof HolderAccessLogUnavailableError
  );
}

/**
 * Process entry for a data holder: reads the environment, loads its
 * policies (and watches them), opens the store, serves, reports readiness to
 * a parent launcher, and stops cleanly on SIGTERM / SIGINT. Exits non-zero
 * with the reason if it cannot start: e.g. every problem of invalid policy
 * files, or no gateway public key to check requests with.
 */
export async function runDataHolder(holder: DataHolder): Promise<void> {
  // Synchronous output: pino's asynchronous destination retries forever on a
  // broken stdout at exit, so a holder whose launcher died would never exit.
  const log = pino({ name: holder.name }, pino.destination({ dest: 1, sync: true }));
  try {
    const config = readHolderConfig();
    const telemetry = installHolderTelemetry({
      serviceName: holder.name,
      tracesUrl: config.otlpTracesUrl,
    });
    // Before anything else: without the gateway's key, nothing could be served.
    const gatewayKeys = await loadGatewayPublicKeys(config.gatewayPublicKeyFile);
    const tls = config.tls === undefined ? undefined : await readTlsFiles(config.tls);
    const policies = watchHolderPolicies({
      dir: config.policiesDir,
      holder: holder.name,
      typeDefs: holder.typeDefs,
      onReload: (policySet) => log.info({ version: policySet.version }, 'policies reloaded'),
      onProblems: (_problems, formatted) =>
        log.warn(`policies not reloaded, the previous ones keep serving:\n${formatted}`),
    });
    const store = openHolderStore(holderStorePath(config.dataDir, holder.name));
    // Before serving: a holder that cannot keep its own log must not serve (DOMAIN.md T2).
    const accessLog = await openHolderAccessLog({ dataDir: config.dataDir, holder: holder.name });
    const clock = config.asOf === undefined ? systemClock : fixedClock(config.asOf);
    const running = await holder.start({
      store,
      clock,
      policies,
      mode: config.mode,
      gatewayKeys,
      accessLog,
      onAccessLogFailure: (error) =>
        log.error({ err: error }, 'access log write failed: request answered 503'),
      host: config.host,
      port: config.port,
      tls,
    });
    log.info(
      {
        url: running.url,
        policyVersion: policies.current().version,
        gatewayKeys: [...gatewayKeys.keys.keys()],
        tracesExportedTo: telemetry.tracesUrl ?? 'nowhere',
      },
      'data holder listening',
    );
    // Retention (DOMAIN.md T3): records older than the retention go, once a day.
    const purge = () => {
      const before = new Date(Date.now() - config.logRetentionDays * 24 * 60 * 60 * 1000);
      try {
        const { purged } = purgeHolderAccessLog({
          dataDir: config.dataDir,
          holder: holder.name,
          before,
        });
        if (purged > 0) log.info({ purged, before }, 'access log purged');
      } catch (error) {
        log.error({ err: error, before }, 'access log purge failed');
      }
    };
    const retention = setInterval(purge, 24 * 60 * 60 * 1000);
    retention.unref();
    setTimeout(purge, 60_000).unref();
    const ready: HolderReadyMessage = { type: 'ready', holder: holder.name, url: running.url };
    process.send?.(ready);
    const shutdown = async (signal: string) => {
      log.info({ signal }, 'stopping');
      clearInterval(retention);
      policies.stop();
      await running.stop();
      // After the server: in-flight requests commit their records first.
      accessLog.close();
      store.close();
      // The last requests' spans; a collector that is down must not hold the exit.
      await telemetry.flush().catch(() => undefined);
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    // A launcher that dies must not leave orphan holders behind.
    process.once('disconnect', () => void shutdown('parent disconnected'));
  } catch (error) {
    if (isExplainedStartupFailure(error)) log.fatal(error.message);
    else log.fatal({ err: error }, 'data holder failed to start');
    process.exit(1);
  }
}
