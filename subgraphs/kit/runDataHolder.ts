import { join } from 'node:path';
import { pino } from 'pino';
import { fixedClock, systemClock } from './clock.js';
import { readHolderConfig } from './config.js';
import type { DataHolderDefinition } from './dataHolder.js';
import { startDataHolder } from './dataHolder.js';
import { openHolderStore } from './store.js';

/** Message a holder process sends its parent (over IPC) once it listens. */
export type HolderReadyMessage = { type: 'ready'; holder: string; url: string };

export function holderStorePath(dataDir: string, holder: string): string {
  return join(dataDir, 'holders', `${holder}.sqlite`);
}

/**
 * Process entry for a data holder: reads the environment, opens the store,
 * serves, reports readiness to a parent launcher, and stops cleanly on
 * SIGTERM / SIGINT. Exits non-zero with the reason if it cannot start.
 */
export async function runDataHolder<Loaders>(definition: DataHolderDefinition<Loaders>): Promise<void> {
  const log = pino({ name: definition.name });
  try {
    const config = readHolderConfig();
    const store = openHolderStore(holderStorePath(config.dataDir, definition.name));
    const clock = config.asOf === undefined ? systemClock : fixedClock(config.asOf);
    const running = await startDataHolder(definition, {
      store,
      clock,
      host: config.host,
      port: config.port,
    });
    log.info({ url: running.url }, 'data holder listening');
    const ready: HolderReadyMessage = { type: 'ready', holder: definition.name, url: running.url };
    process.send?.(ready);
    const shutdown = async (signal: string) => {
      log.info({ signal }, 'stopping');
      await running.stop();
      store.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    // A launcher that dies must not leave orphan holders behind.
    process.once('disconnect', () => void shutdown('parent disconnected'));
  } catch (error) {
    log.fatal({ err: error }, 'data holder failed to start');
    process.exit(1);
  }
}
