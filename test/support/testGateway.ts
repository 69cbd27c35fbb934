import { type GatewayConfig, type RunningGateway, startGateway } from '../../gateway/index.js';
import { registerTestKeys } from './asReuser.js';

/**
 * Starts an in-process gateway after registering this process's test keys
 * for every re-user of its policies, so that `asReuser` credentials work.
 * Its config should set `PASSERELLE_PUBLIC_URL` to `TEST_AUDIENCE`.
 */
export async function startTestGateway(
  config: GatewayConfig,
  options?: Parameters<typeof startGateway>[1],
): Promise<RunningGateway> {
  await registerTestKeys(config);
  return startGateway(config, options);
}
