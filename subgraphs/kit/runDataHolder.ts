import { pino } from 'pino';
import { fixedClock, PolicyLoadError, systemClock } from '../../policies/engine/index.js';
import { readHolderConfig } from './config.js';
import type { DataHolder } from './dataHolder.js';
import { watchHolderPolicies } from './holderPolicies.js';
import { openHolderStore } from './store.js';
import { holderStorePath } from './storeLayout.js';

/** Message a holder process sends its parent (over IPC) once it listens. */
export type HolderReadyMessage = { type: 'ready'; holder: string; url: string };

/**
 * Process entry for a data holder: reads the environment, loads its
 * policies (and watches them), opens the store, serves, reports readiness to
 * a parent launcher, and stops cleanly on SIGTERM / SIGINT. Exits non-zero
 * with the reason if it cannot start, e.g. with every problem of invalid
 * policy files.
 */
export async function runDataHolder(holder: DataHolder): Promise<void> {
  // Synchronous output: pino's asynchronous destination retries forever on a
  // broken stdout at exit, so a holder whose launcher died would never exit.
  const log = pino({ name: holder.name }, pino.destination({ dest: 1, sync: true }));
  try {
    const config = readHolderConfig();
    const policies = watchHolderPolicies({
      dir: config.policiesDir,
      holder: holder.name,
      typeDefs: holder.typeDefs,
      onReload: (policySet) => log.info({ version: policySet.version }, 'policies reloaded'),
      onProblems: (_problems, formatted) =>
        log.warn(`policies not reloaded, the previous ones keep serving:\n${formatted}`),
    });
    const store = openHolderStore(holderStorePath(config.dataDir, holder.name));
    const clock = config.asOf === undefined ? systemClock : fixedClock(config.asOf);
    const running = await holder.start({
      store,
      clock,
      policies,
      mode: config.mode,
      host: config.host,
      port: config.port,
    });
    log.info(
      { url: running.url, policyVersion: policies.current().version },
      'data holder listening',
    );
    const ready: HolderReadyMessage = { type: 'ready', holder: holder.name, url: running.url };
    process.send?.(ready);
    const shutdown = async (signal: string) => {
      log.info({ signal }, 'stopping');
      policies.stop();
      await running.stop();
      store.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    // A launcher that dies must not leave orphan holders behind.
    process.once('disconnect', () => void shutdown('parent disconnected'));
  } catch (error) {
    if (error instanceof PolicyLoadError) log.fatal(error.message);
    else log.fatal({ err: error }, 'data holder failed to start');
    process.exit(1);
  }
}
