import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createFileOnce } from '../contextToken/index.js';
import { AccessLogError, messageOf } from './errors.js';

/** HMAC-SHA-256 key length, in bytes. */
const KEY_BYTES = 32;
const KEY_TEXT = /^[0-9a-f]{64}$/;

/** Turns a person id into its subject reference. */
export type SubjectReferencer = (personId: string) => string;

/**
 * Subject references (DECISIONS.md section 3): HMAC-SHA-256 of the person
 * id, in hex. Logs and traces carry only these; searching for a person
 * hashes their id the same way. The key is kept outside the log store, so a
 * copy of the log alone cannot be matched against a list of ids.
 */
export function createSubjectReferencer(key: Uint8Array): SubjectReferencer {
  if (key.length !== KEY_BYTES) {
    throw new AccessLogError(
      'KEY_INVALID',
      `the subject reference key must be ${KEY_BYTES} bytes, got ${key.length}`,
    );
  }
  const secret = Buffer.from(key);
  return (personId) => createHmac('sha256', secret).update(personId, 'utf8').digest('hex');
}

/**
 * The key in `file` (64 hex digits), or undefined when the file does not
 * exist. Throws `KEY_INVALID` when it cannot be read or is malformed.
 */
export async function readSubjectReferenceKey(file: string): Promise<Buffer | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AccessLogError(
      'KEY_INVALID',
      `cannot read the subject reference key ${file}: ${messageOf(error)}`,
    );
  }
  const hex = content.trim();
  if (!KEY_TEXT.test(hex)) {
    throw new AccessLogError(
      'KEY_INVALID',
      `${file} must hold the subject reference key as 64 hexadecimal digits`,
    );
  }
  return Buffer.from(hex, 'hex');
}

/**
 * The subject reference key: read, or generated at the first start (32
 * random bytes, file mode 0600). Several processes starting at once end up
 * with the same key. Losing it makes past references unsearchable: back it
 * up with the data folder, but not beside copies of the log.
 */
export async function ensureSubjectReferenceKey(file: string): Promise<Buffer> {
  const existing = await readSubjectReferenceKey(file);
  if (existing !== undefined) return existing;
  try {
    await createFileOnce(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
  } catch (error) {
    throw new AccessLogError(
      'KEY_INVALID',
      `cannot create the subject reference key ${file}: ${messageOf(error)}`,
    );
  }
  const key = await readSubjectReferenceKey(file);
  if (key === undefined) {
    throw new AccessLogError('KEY_INVALID', `the subject reference key ${file} vanished`);
  }
  return key;
}
