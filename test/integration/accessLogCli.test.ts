import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FILE_NAME,
  type ChainedAccessRecord,
  createSubjectReferencer,
  ensureCheckpointKey,
  ensureSubjectReferenceKey,
  openAccessLogStore,
} from '../../gateway/accessLog/index.js';
import { parseAdminConfig } from '../../gateway/config/index.js';
import { accessRecord } from '../support/accessRecords.js';

// `passerelle log`, run as an operator runs it: spawned processes, their
// output and exit codes, over a log written the way the gateway writes it
// (keys in the data folder, subject references from person ids).

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));

type Outcome = { code: number | null; stdout: string; stderr: string };

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PASSERELLE_')),
  );
}

async function passerelle(args: string[]): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/main.ts', ...args], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

let dataDir: string;
const at = () => [`--data-dir=${dataDir}`];

/** Records dated from 400 days ago to today, one every 100 days; person-1 in all, person-2 in the last. */
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'passerelle-log-cli-'));
  const config = parseAdminConfig({ PASSERELLE_DATA_DIR: dataDir });
  const subjectRef = createSubjectReferencer(
    await ensureSubjectReferenceKey(config.accessLog.subjectReferenceKeyFile),
  );
  const checkpointKey = await ensureCheckpointKey(config.accessLog.checkpointKey);
  const log = await openAccessLogStore({ kind: 'sqlite', dataDir, checkpointKey });
  const day = 86_400_000;
  await log.append(
    [400, 300, 200, 100, 0].map((daysAgo, index) =>
      accessRecord(index, {
        timestamp: new Date(Date.now() - daysAgo * day).toISOString(),
        subjectRefs:
          daysAgo === 0
            ? [subjectRef('person-1'), subjectRef('person-2')]
            : [subjectRef('person-1')],
        ...(index === 2 ? { outcome: { status: 'denied', code: 'PURPOSE_FIELD_DENIED' } } : {}),
      }),
    ),
  );
  await log.close();
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('passerelle log', () => {
  it('searches a person by id, hashing it with the subject key', async () => {
    const table = await passerelle(['log', 'search', '--subject', 'person-2', ...at()]);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^TIME \(UTC\)\s+RE-USER\s+AGENT/);
    expect(table.stdout).toContain('commune-de-bellerive');
    expect(table.stdout).toContain('request-4');
    expect(table.stdout).not.toContain('request-3');

    const json = await passerelle(['log', 'search', '--subject', 'person-1', '--json', ...at()]);
    expect(json.code).toBe(0);
    const records = JSON.parse(json.stdout) as ChainedAccessRecord[];
    expect(records.map((record) => record.requestId)).toEqual([
      'request-4',
      'request-3',
      'request-2',
      'request-1',
      'request-0',
    ]);
    const denied = await passerelle(['log', 'search', '--outcome', 'denied', '--json', ...at()]);
    expect((JSON.parse(denied.stdout) as ChainedAccessRecord[])[0]?.outcome).toEqual({
      status: 'denied',
      code: 'PURPOSE_FIELD_DENIED',
    });
    const wrong = await passerelle(['log', 'search', '--outcome', 'maybe', ...at()]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--outcome must be allowed, denied or error');
  });

  it('refuses a purge under six months without --force, then purges by retention', async () => {
    const tooShort = await passerelle(['log', 'purge', '--retention', '3m', ...at()]);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('shorter than 6 months');
    const tooRecent = await passerelle([
      'log',
      'purge',
      '--before',
      new Date().toISOString(),
      ...at(),
    ]);
    expect(tooRecent.code).toBe(2);
    expect(tooRecent.stderr).toContain('--force');

    const purged = await passerelle(['log', 'purge', ...at(), '--json']);
    expect(purged.code).toBe(0);
    // The default retention, one year: only the record of 400 days ago goes.
    expect(JSON.parse(purged.stdout)).toMatchObject({
      purged: 1,
      cuts: [{ chain: 'main', sequence: 1 }],
    });
    const verified = await passerelle(['log', 'verify', ...at()]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toContain('access log intact: 4 record(s) in 1 chain(s)');
  });

  it('verify exits 1 and names the first broken link', async () => {
    const db = new Database(join(dataDir, ACCESS_LOG_FILE_NAME));
    try {
      db.prepare("UPDATE access_log_records SET agent = 'someone-else' WHERE sequence = 3").run();
    } finally {
      db.close();
    }
    const broken = await passerelle(['log', 'verify', ...at()]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('first broken link in chain main at sequence 3: hash-mismatch');
    const json = await passerelle(['log', 'verify', '--json', ...at()]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      firstBroken: { chain: 'main', sequence: 3, reason: 'hash-mismatch' },
    });
    const refused = await passerelle(['log', 'purge', '--retention', '6m', ...at()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to purge: the log is broken at main#3');
  });

  it('says what is wrong with the command line', async () => {
    const unknown = await passerelle(['log', 'rotate', ...at()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand "rotate"');
    const misplaced = await passerelle(['log', 'verify', '--before', '2025-01-01', ...at()]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--before does not apply to log verify');
  });
});
