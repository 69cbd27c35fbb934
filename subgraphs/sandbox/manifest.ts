/**
 * Where a sandbox dataset lives and what its manifest says. A dataset is the
 * folder `<dataDir>/holders/`: one SQLite file per data holder and a
 * `manifest.json` naming the inputs that produced it and each file's SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DATA_HOLDERS, type DataHolderName, holdersFolder, storeFileName } from '../kit/index.js';

/**
 * Version of the generation rules. Bump it whenever the same seed, persons and
 * as-of date would produce different files, so existing datasets are regenerated.
 */
export const GENERATOR_VERSION = '2';

const manifestSchema = z.object({
  seed: z.number().int(),
  persons: z.number().int(),
  asOf: z.string(),
  generatorVersion: z.string(),
  files: z.object(
    Object.fromEntries(
      DATA_HOLDERS.map((holder) => [holder, z.string().regex(/^[0-9a-f]{64}$/)]),
    ) as Record<DataHolderName, z.ZodString>,
  ),
});

export type SandboxManifest = z.infer<typeof manifestSchema>;

const MANIFEST_FILE = 'manifest.json';

/** Path of a holder's SQLite store inside a holders folder (the final one or a temporary one). */
export function storePathIn(folder: string, holder: DataHolderName): string {
  return join(folder, storeFileName(holder));
}

export function manifestPathIn(folder: string): string {
  return join(folder, MANIFEST_FILE);
}

/** The dataset's manifest, or null when it is missing, unreadable or not a manifest. */
export function readSandboxManifest(dataDir: string): SandboxManifest | null {
  try {
    const parsed = manifestSchema.safeParse(
      JSON.parse(readFileSync(manifestPathIn(holdersFolder(dataDir)), 'utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function serialiseManifest(manifest: SandboxManifest): string {
  const { seed, persons, asOf, generatorVersion, files } = manifest;
  const orderedFiles = Object.fromEntries(DATA_HOLDERS.map((holder) => [holder, files[holder]]));
  return `${JSON.stringify({ seed, persons, asOf, generatorVersion, files: orderedFiles }, null, 2)}\n`;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
