import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateSandboxData } from '../../subgraphs/sandbox/index.js';
import './context.js';
import { TEST_DATASET } from './sandboxDataset.js';

let dataDir: string | undefined;

/** Generates one small sandbox dataset for the whole run; tests only read it. */
export async function setup(project: TestProject): Promise<void> {
  dataDir = mkdtempSync(join(tmpdir(), 'passerelle-test-'));
  await generateSandboxData({ dataDir, ...TEST_DATASET });
  project.provide('sandboxDataDir', dataDir);
}

export function teardown(): void {
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
