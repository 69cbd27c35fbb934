import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderStorePath } from '../../../subgraphs/kit/index.js';
import {
  ensureSandboxData,
  generateSandboxData,
  readSandboxManifest,
} from '../../../subgraphs/sandbox/index.js';
import { AS_OF, makeTempDataDir, removeDataDir } from './harness.js';

const PERSONS = 200;

describe('ensureSandboxData', () => {
  const dataDirs: string[] = [];
  const tempDataDir = () => {
    const dataDir = makeTempDataDir();
    dataDirs.push(dataDir);
    return dataDir;
  };
  let dataDir: string;

  beforeAll(() => {
    dataDir = tempDataDir();
  });
  afterAll(() => {
    for (const folder of dataDirs) removeDataDir(folder);
  });

  it('generates when there is no dataset, then keeps it while the inputs match', async () => {
    const first = await ensureSandboxData({ dataDir, seed: 3, persons: PERSONS, asOf: AS_OF });
    expect(first.generated).toBe(true);
    expect(first.durationMs).toBeGreaterThan(0);
    const modified = statSync(holderStorePath(dataDir, 'civil-status')).mtimeMs;

    const again = await ensureSandboxData({ dataDir, seed: 3, persons: PERSONS, asOf: AS_OF });
    expect(again.generated).toBe(false);
    expect(again.manifest).toEqual(first.manifest);
    expect(statSync(holderStorePath(dataDir, 'civil-status')).mtimeMs).toBe(modified);
  });

  it('regenerates when the as-of date changes', async () => {
    const result = await ensureSandboxData({
      dataDir,
      seed: 3,
      persons: PERSONS,
      asOf: '2026-12-01',
    });
    expect(result.generated).toBe(true);
    expect(result.manifest.asOf).toBe('2026-12-01');
    expect(readSandboxManifest(dataDir)?.asOf).toBe('2026-12-01');
  });

  it('regenerates when the seed or the number of persons changes', async () => {
    expect(
      (await ensureSandboxData({ dataDir, seed: 4, persons: PERSONS, asOf: AS_OF })).generated,
    ).toBe(true);
    expect(
      (await ensureSandboxData({ dataDir, seed: 4, persons: PERSONS + 1, asOf: AS_OF })).generated,
    ).toBe(true);
    expect(
      (await ensureSandboxData({ dataDir, seed: 4, persons: PERSONS + 1, asOf: AS_OF })).generated,
    ).toBe(false);
  });

  it('regenerates datasets of another generator version, and when a store is missing', async () => {
    const options = { dataDir: tempDataDir(), seed: 5, persons: PERSONS, asOf: AS_OF };
    const manifest = await generateSandboxData(options);
    const manifestPath = join(options.dataDir, 'holders', 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, generatorVersion: 'older' }));
    expect((await ensureSandboxData(options)).generated).toBe(true);

    rmSync(holderStorePath(options.dataDir, 'education'));
    expect((await ensureSandboxData(options)).generated).toBe(true);
    expect(statSync(holderStorePath(options.dataDir, 'education')).size).toBeGreaterThan(0);
  });

  it('reads no manifest where there is none', () => {
    const empty = tempDataDir();
    expect(readSandboxManifest(empty)).toBeNull();
    expect(readSandboxManifest(join(empty, 'missing'))).toBeNull();
  });

  it('reads no manifest from a corrupt file', async () => {
    const corrupt = tempDataDir();
    await generateSandboxData({ dataDir: corrupt, seed: 6, persons: 10, asOf: AS_OF });
    writeFileSync(join(corrupt, 'holders', 'manifest.json'), '{"seed": 6,');
    expect(readSandboxManifest(corrupt)).toBeNull();
    writeFileSync(join(corrupt, 'holders', 'manifest.json'), '{"seed": "six"}');
    expect(readSandboxManifest(corrupt)).toBeNull();
  });

  it.each([
    [{ seed: -1 }, /seed must be an integer/],
    [{ seed: 2 ** 32 }, /seed must be an integer/],
    [{ persons: 1.5 }, /persons must be an integer/],
    [{ persons: -3 }, /persons must be an integer/],
    [{ asOf: '2026-02-30' }, /asOf must be a calendar date/],
    [{ asOf: '15/11/2026' }, /asOf must be a calendar date/],
  ])(
    'refuses invalid options %o with a RangeError saying what to change',
    async (invalid, message) => {
      const options = { dataDir: tempDataDir(), ...invalid };
      await expect(generateSandboxData(options)).rejects.toThrow(message);
      await expect(ensureSandboxData(options)).rejects.toThrow(RangeError);
    },
  );
});
