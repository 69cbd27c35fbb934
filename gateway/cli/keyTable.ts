import { keyStateAt, type ReuserKey } from '../keyRegistry/index.js';
import { textTable } from './textTable.js';

/** An instant to the minute, UTC: `2026-03-02 09:00Z`. */
export function minuteOf(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** What a key allows now, with who revoked it or what replaces it. */
export function describeKeyState(key: ReuserKey, now: Date): string {
  const state = keyStateAt(key, now);
  if (state === 'revoked') {
    return `revoked by ${key.revokedBy ?? 'admin'} ${key.revokedAt === undefined ? '' : minuteOf(key.revokedAt)}${key.revocationReason === undefined ? '' : ` (${key.revocationReason})`}`;
  }
  const replaced =
    key.replacedBy === undefined ? '' : `, replaced by ${key.replacedBy.slice(0, 8)}…`;
  return `${state}${replaced}`;
}

/** Keys as a table, one per line. */
export function keyTable(keys: readonly ReuserKey[], now: Date, indent = ''): string {
  return textTable(
    [
      ['KID', 'RE-USER', 'ALG', 'VALID FROM', 'VALID UNTIL', 'STATE'],
      ...keys.map((key) => [
        key.kid,
        key.reuserId,
        key.algorithm,
        minuteOf(key.validFrom),
        minuteOf(key.validUntil),
        describeKeyState(key, now),
      ]),
    ],
    indent,
  );
}
