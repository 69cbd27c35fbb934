import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccessLogError,
  type AccessLogErrorCode,
  createSubjectReferencer,
  ensureCheckpointKey,
  ensureSubjectReferenceKey,
  readCheckpointPublicKey,
  readSubjectReferenceKey,
  retentionFor,
} from '../../../gateway/accessLog/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'passerelle-access-keys-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function refusal(action: () => unknown): AccessLogErrorCode | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof AccessLogError) return error.code;
    throw error;
  }
  return undefined;
}

describe('subject references', () => {
  it('are the HMAC-SHA-256 of the person id under the key, in hex', async () => {
    const key = Buffer.alloc(32, 7);
    const reference = createSubjectReferencer(key);
    // Computed independently: printf person-1 | openssl dgst -sha256 -mac HMAC -macopt hexkey:0707...07
    expect(reference('person-1')).toBe(
      '5b5d44b638774e13dd167a7b722aa30410c999191bad392283a92d5538642703',
    );
    expect(reference('person-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(reference('person-1')).toBe(reference('person-1'));
    expect(reference('person-1')).not.toBe(reference('person-2'));
    expect(createSubjectReferencer(Buffer.alloc(32, 8))('person-1')).not.toBe(
      reference('person-1'),
    );
    expect(refusal(() => createSubjectReferencer(Buffer.alloc(16)))).toBe('KEY_INVALID');
  });

  it('generate their key once, mode 0600, and read it back', async () => {
    const file = join(dir, 'keys', 'subject-reference.key');
    expect(await readSubjectReferenceKey(file)).toBeUndefined();
    const key = await ensureSubjectReferenceKey(file);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${key.toString('hex')}\n`);
    expect(await ensureSubjectReferenceKey(file)).toEqual(key);
    writeFileSync(file, 'not hex');
    await expect(ensureSubjectReferenceKey(file)).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });

  it('end up with one key when several processes start at once', async () => {
    const file = join(dir, 'keys', 'subject-reference.key');
    const script = `
      import { ensureSubjectReferenceKey } from ${JSON.stringify(new URL('../../../gateway/accessLog/index.ts', import.meta.url).pathname)};
      const key = await ensureSubjectReferenceKey(process.argv[2]);
      process.stdout.write(key.toString('hex'));
    `;
    const scriptFile = join(dir, 'ensure.mts');
    writeFileSync(scriptFile, script);
    const keys = await Promise.all(
      Array.from({ length: 4 }, () => {
        const child = fork(scriptFile, [file], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        return new Promise<string>((resolve, reject) => {
          child.on('exit', (code) =>
            code === 0 ? resolve(output) : reject(new Error(`exit ${code}`)),
          );
        });
      }),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(readFileSync(file, 'utf8').trim());
  });
});

describe('checkpoint key', () => {
  it('is generated once with its public half, and refuses a mismatched public file', async () => {
    const files = {
      privateKeyFile: join(dir, 'keys', 'access-log-checkpoint.private.jwk'),
      publicKeyFile: join(dir, 'keys', 'access-log-checkpoint.public.jwk'),
    };
    const first = await ensureCheckpointKey(files);
    expect(first.privateKey).toBeDefined();
    expect(statSync(files.privateKeyFile).mode & 0o777).toBe(0o600);
    const published = JSON.parse(readFileSync(files.publicKeyFile, 'utf8')) as Record<
      string,
      unknown
    >;
    expect(published.d).toBeUndefined();
    expect((await ensureCheckpointKey(files)).kid).toBe(first.kid);
    const auditor = await readCheckpointPublicKey(files.publicKeyFile);
    expect(auditor.kid).toBe(first.kid);
    expect(auditor.privateKey).toBeUndefined();

    const other = await ensureCheckpointKey({
      privateKeyFile: join(dir, 'other.private.jwk'),
      publicKeyFile: join(dir, 'other.public.jwk'),
    });
    writeFileSync(files.publicKeyFile, readFileSync(join(dir, 'other.public.jwk')));
    expect(other.kid).not.toBe(first.kid);
    await expect(ensureCheckpointKey(files)).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(readCheckpointPublicKey(join(dir, 'missing.jwk'))).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
  });
});

describe('retention', () => {
  const now = new Date('2026-03-31T12:00:00.000Z');

  it('defaults to one year', () => {
    const retention = retentionFor(undefined);
    expect(retention.text).toBe('12 months');
    expect(retention.cutoff(now).toISOString()).toBe('2025-03-31T12:00:00.000Z');
  });

  it.each([
    ['6m', '6 months', '2025-09-30T12:00:00.000Z'],
    ['9 months', '9 months', '2025-06-30T12:00:00.000Z'],
    ['2y', '24 months', '2024-03-31T12:00:00.000Z'],
    ['400d', '400 days', '2025-02-24T12:00:00.000Z'],
    ['27w', '189 days', '2025-09-23T12:00:00.000Z'],
  ])('reads %s', (text, normalised, cutoff) => {
    const retention = retentionFor(text);
    expect(retention.text).toBe(normalised);
    expect(retention.cutoff(now).toISOString()).toBe(cutoff);
  });

  it('refuses less than six months unless forced', () => {
    expect(refusal(() => retentionFor('5m'))).toBe('RETENTION_TOO_SHORT');
    expect(refusal(() => retentionFor('182d'))).toBe('RETENTION_TOO_SHORT');
    expect(refusal(() => retentionFor('183d'))).toBeUndefined();
    expect(retentionFor('30d', { force: true }).text).toBe('30 days');
  });

  it('refuses what it cannot read', () => {
    expect(refusal(() => retentionFor('forever'))).toBe('ARGUMENT_INVALID');
    expect(refusal(() => retentionFor('0y', { force: true }))).toBe('ARGUMENT_INVALID');
    expect(refusal(() => retentionFor('-1y'))).toBe('ARGUMENT_INVALID');
  });
});
