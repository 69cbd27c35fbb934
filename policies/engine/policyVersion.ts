import { createHash } from 'node:crypto';

/**
 * The policy version (DECISIONS.md §2): SHA-256, hex, over the files sorted
 * by relative path, each path and each content prefixed with its length in
 * bytes so that no two different sets of files hash the same stream.
 */
export function policyVersion(
  files: readonly { relativePath: string; bytes: Uint8Array }[],
): string {
  const hash = createHash('sha256');
  const sorted = [...files].sort((a, b) =>
    a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0,
  );
  for (const file of sorted) {
    const path = Buffer.from(file.relativePath, 'utf8');
    hash.update(`${path.length}:`);
    hash.update(path);
    hash.update(`${file.bytes.length}:`);
    hash.update(file.bytes);
  }
  return hash.digest('hex');
}
