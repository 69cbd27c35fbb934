import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** HMAC-SHA-256 key length, in bytes. */
const KEY_BYTES = 32;
const KEY_TEXT = /^[0-9a-f]{64}$/;

/** Turns a person id into its subject reference. */
export type SubjectReferencer = (personId: string) => string;

/** The holder's subject reference key cannot be read or created. */
export class SubjectReferenceKeyError extends Error {
  override readonly name = 'SubjectReferenceKeyError';
}

/**
 * Subject references in the holder's own log (DECISIONS.md section 3):
 * HMAC-SHA-256 of the person id, in hex, with the holder's own key. The
 * gateway keys its log with another key, so the two logs cannot be joined on
 * persons; they are joined on the request and trace ids.
 */
export function createSubjectReferencer(key: Uint8Array): SubjectReferencer {
  const secret = Buffer.from(key);
  return (personId) => createHmac('sha256', secret).update(personId, 'utf8').digest('hex');
}

async function readKey(file: string): Promise<Buffer | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SubjectReferenceKeyError(
      `cannot read the subject reference key ${file}: ${String(error)}`,
    );
  }
  const hex = content.trim();
  if (!KEY_TEXT.test(hex)) {
    throw new SubjectReferenceKeyError(
      `${file} must hold the subject reference key as 64 hexadecimal digits`,
    );
  }
  return Buffer.from(hex, 'hex');
}

/**
 * The key in `file`, generated at the first start (32 random bytes, mode
 * 0600, folder 0700). Race-safe: the new key is written whole to a
 * temporary file of this process, then linked to its final name, which fails
 * if another process got there first; everyone then reads the winner's key,
 * and no reader ever sees a half-written one. Losing the key makes past
 * references unsearchable: back it up with the data folder.
 */
export async function ensureSubjectReferenceKey(file: string): Promise<Buffer> {
  const existing = await readKey(file);
  if (existing !== undefined) return existing;
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(temporary, `${randomBytes(KEY_BYTES).toString('hex')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw new SubjectReferenceKeyError(
      `cannot create the subject reference key ${file}: ${String(error)}`,
    );
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const key = await readKey(file);
  if (key === undefined) {
    throw new SubjectReferenceKeyError(`the subject reference key ${file} vanished`);
  }
  return key;
}
