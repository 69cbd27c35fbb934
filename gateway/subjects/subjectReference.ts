import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Subject references (DECISIONS.md section 3): HMAC-SHA-256 of a person id
 * with a key kept outside the stores that hold references, so that a log
 * line or a quota row names a person only to whoever holds the key.
 * Searching by subject hashes the person id the same way.
 */
export type SubjectReferencer = (personId: string) => string;

/** Where the key is generated at the first start: `<dataDir>/keys/subject-reference.key`. */
export function subjectReferenceKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'subject-reference.key');
}

const KEY_BYTES = 32;

/**
 * Reads the subject reference key (hex), generating it at the first start
 * with mode 0600. Two processes starting together on one data folder agree:
 * the file is created exclusively, and the loser reads the winner's key.
 */
export async function ensureSubjectReferenceKey(file: string): Promise<Buffer> {
  const read = async () => {
    const text = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) {
      throw new Error(`${file} must hold a ${KEY_BYTES}-byte key written in hexadecimal`);
    }
    return Buffer.from(text, 'hex');
  };
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    // The mode given to open() is filtered by the umask; set it exactly.
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return read();
}

export function createSubjectReferencer(key: Buffer): SubjectReferencer {
  return (personId) => createHmac('sha256', key).update(personId, 'utf8').digest('hex');
}
