import { z } from 'zod';
import { DEFAULT_POLICIES_DIR } from '../../policies/engine/index.js';
import type { HolderMode } from './purposeBinding.js';

/**
 * A data holder process's configuration: the only place in the kit that
 * reads `process.env`. Parsed once, validated, frozen.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD');

const holderConfigSchema = z.object({
  PASSERELLE_DATA_DIR: z.string().min(1).default('./data'),
  PASSERELLE_HOST: z.string().min(1).default('127.0.0.1'),
  PASSERELLE_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  PASSERELLE_AS_OF: isoDate.optional(),
  PASSERELLE_POLICIES_DIR: z.string().min(1).default(DEFAULT_POLICIES_DIR),
  PASSERELLE_MODE: z.enum(['sandbox', 'production']).default('sandbox'),
});

export type HolderConfig = Readonly<{
  dataDir: string;
  host: string;
  port: number;
  /** Fixed "today" for the holder's calendar (sandbox and tests); the system clock when absent. */
  asOf: string | undefined;
  /** The policy folder, watched for changes. */
  policiesDir: string;
  /** The system's stage; a purpose is active only in its own. */
  mode: HolderMode;
}>;

export class HolderConfigError extends Error {
  override readonly name = 'HolderConfigError';
}

export function readHolderConfig(env: NodeJS.ProcessEnv = process.env): HolderConfig {
  const parsed = holderConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `- ${issue.path.join('.')}: ${issue.message}`,
    );
    throw new HolderConfigError(`invalid data holder configuration:\n${problems.join('\n')}`);
  }
  return Object.freeze({
    dataDir: parsed.data.PASSERELLE_DATA_DIR,
    host: parsed.data.PASSERELLE_HOST,
    port: parsed.data.PASSERELLE_SUBGRAPH_PORT,
    asOf: parsed.data.PASSERELLE_AS_OF,
    policiesDir: parsed.data.PASSERELLE_POLICIES_DIR,
    mode: parsed.data.PASSERELLE_MODE,
  });
}
