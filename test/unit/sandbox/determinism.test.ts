import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_HOLDERS, holderStorePath } from '../../../subgraphs/kit/index.js';
import {
  GENERATOR_VERSION,
  generateSandboxData,
  readSandboxManifest,
  type SandboxManifest,
} from '../../../subgraphs/sandbox/index.js';
import { AS_OF, makeTempDataDir, PERSONS, removeDataDir } from './harness.js';

describe('sandbox generator determinism', () => {
  const dataDirs: string[] = [];
  const generate = async (seed: number, asOf = AS_OF) => {
    const dataDir = makeTempDataDir();
    dataDirs.push(dataDir);
    return {
      dataDir,
      manifest: await generateSandboxData({ dataDir, seed, persons: PERSONS, asOf }),
    };
  };
  let first: { dataDir: string; manifest: SandboxManifest };
  let second: { dataDir: string; manifest: SandboxManifest };

  beforeAll(async () => {
    first = await generate(7);
    second = await generate(7);
  });

  afterAll(() => {
    for (const dataDir of dataDirs) removeDataDir(dataDir);
  });

  it('writes byte-identical stores for the same seed, persons and as-of date', () => {
    expect(second.manifest.files).toEqual(first.manifest.files);
    for (const holder of DATA_HOLDERS) {
      const a = readFileSync(holderStorePath(first.dataDir, holder));
      const b = readFileSync(holderStorePath(second.dataDir, holder));
      expect(a.equals(b), holder).toBe(true);
    }
  });

  it('records its inputs and the SHA-256 of each store in the manifest', async () => {
    expect(first.manifest).toMatchObject({
      seed: 7,
      persons: PERSONS,
      asOf: AS_OF,
      generatorVersion: GENERATOR_VERSION,
    });
    expect(readSandboxManifest(first.dataDir)).toEqual(first.manifest);
    const { createHash } = await import('node:crypto');
    for (const holder of DATA_HOLDERS) {
      const digest = createHash('sha256')
        .update(readFileSync(holderStorePath(first.dataDir, holder)))
        .digest('hex');
      expect(first.manifest.files[holder], holder).toBe(digest);
    }
  });

  it('leaves only the finished dataset behind: no temporary or staging files', () => {
    expect(readdirSync(first.dataDir)).toEqual(['holders']);
    expect(readdirSync(`${first.dataDir}/holders`).sort()).toEqual(
      [...DATA_HOLDERS.map((holder) => `${holder}.sqlite`), 'manifest.json'].sort(),
    );
  });

  it('gives every store different content for a different seed', async () => {
    const other = await generate(8);
    for (const holder of DATA_HOLDERS)
      expect(other.manifest.files[holder], holder).not.toBe(first.manifest.files[holder]);
  });

  it('gives different content for a different as-of date', async () => {
    const other = await generate(7, '2026-12-15');
    for (const holder of DATA_HOLDERS)
      expect(other.manifest.files[holder], holder).not.toBe(first.manifest.files[holder]);
  });

  it('replaces an existing dataset in place', async () => {
    const { dataDir } = await generate(9);
    const manifest = await generateSandboxData({ dataDir, seed: 10, persons: 50, asOf: AS_OF });
    expect(readSandboxManifest(dataDir)).toEqual(manifest);
    expect(readdirSync(dataDir)).toEqual(['holders']);
  });
});
