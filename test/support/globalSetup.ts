import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateSandboxData } from '../../subgraphs/sandbox/index.js';
import './context.js';

/** A fixed "today", so that "current month" and "income year N-1" are stable on any date. */
export const TEST_AS_OF = '2026-11-15';
export const TEST_SEED = 42;
export const TEST_PERSONS = 2_000;

let dataDir: string | undefined;

/** Generates one small sandbox dataset for the whole run; tests only read it. */
export async function setup(project: TestProject): Promise<void> {
  dataDir = mkdtempSync(join(tmpdir(), 'passerelle-test-'));
  await generateSandboxData({ dataDir, seed: TEST_SEED, persons: TEST_PERSONS, asOf: TEST_AS_OF });
  project.provide('sandboxDataDir', dataDir);
  project.provide('sandboxAsOf', TEST_AS_OF);
}

export function teardown(): void {
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
