import {
  type AccessRecord,
  type ChainedAccessRecord,
  GENESIS_HASH,
  parseAccessRecords,
  recordHash,
} from './accessRecord.js';
import {
  type CheckpointKey,
  type CheckpointKind,
  signCheckpoint,
  verifiedCheckpointKind,
} from './checkpoint.js';
import { AccessLogError, AccessLogUnavailableError, messageOf } from './errors.js';
import {
  type LogDatabase,
  RECORD_COLUMNS,
  type SqlExecutor,
  type SqlValue,
} from './logDatabase.js';
import type {
  AccessLogFilter,
  AccessLogStore,
  BrokenLinkReason,
  PurgeResult,
  VerifyResult,
} from './model.js';

export const DEFAULT_CHECKPOINT_EVERY = 1_000;
const DEFAULT_SEARCH_LIMIT = 100;
const MAX_SEARCH_LIMIT = 10_000;
/** Records read per statement while verifying. */
const VERIFY_PAGE = 1_000;
const CHAIN_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const SUBJECT_REF = /^[0-9a-f]{64}$/;

type RecordRow = Record<(typeof RECORD_COLUMNS)[number], string | number | null>;
type HeadRow = {
  chain: string;
  last_sequence: number | string;
  last_hash: string;
  checkpointed_sequence: number | string;
};
type CheckpointRow = { sequence: number | string; hash: string; signature: string };

function rowValues(
  record: AccessRecord,
  chain: string,
  sequence: number,
  previousHash: string,
  hash: string,
): SqlValue[] {
  return [
    chain,
    sequence,
    record.timestamp,
    record.requestId,
    record.traceId,
    record.reuserId,
    record.agent,
    record.purposeId,
    record.legalBasis,
    record.reason ?? null,
    record.operationType ?? null,
    record.operationName ?? null,
    record.documentHash,
    JSON.stringify(record.coordinates),
    JSON.stringify(record.subjectRefs),
    record.outcome.status,
    record.outcome.status === 'allowed' ? null : record.outcome.code,
    record.policyVersion,
    record.clientAddress ?? null,
    record.latencyMs,
    previousHash,
    hash,
  ];
}

function stringList(json: string | number | null): string[] {
  const list: unknown = JSON.parse(String(json));
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
    throw new Error('not a list of strings');
  }
  return list as string[];
}

/**
 * A row as a record, faithfully: whatever a row holds ends up in the record
 * and so in its recomputed hash (an `allowed` row given a code keeps it), so
 * that no edit of a column goes unnoticed. Throws on unparsable lists.
 */
function recordOf(row: RecordRow): ChainedAccessRecord {
  const text = (value: string | number | null) => String(value);
  const optional = <Key extends string>(key: Key, value: string | number | null) =>
    value === null ? {} : ({ [key]: String(value) } as Record<Key, string>);
  const status = text(row.outcome) as AccessRecord['outcome']['status'];
  const outcome = (
    status === 'allowed' && row.outcome_code === null
      ? { status }
      : { status, code: text(row.outcome_code) }
  ) as AccessRecord['outcome'];
  return {
    timestamp: text(row.occurred_at),
    requestId: text(row.request_id),
    traceId: text(row.trace_id),
    reuserId: text(row.reuser_id),
    agent: text(row.agent),
    purposeId: text(row.purpose_id),
    legalBasis: text(row.legal_basis),
    ...optional('reason', row.reason),
    ...(row.operation_type === null
      ? {}
      : { operationType: text(row.operation_type) as AccessRecord['operationType'] }),
    ...optional('operationName', row.operation_name),
    documentHash: text(row.document_hash),
    coordinates: stringList(row.coordinates),
    subjectRefs: stringList(row.subject_refs),
    outcome,
    policyVersion: text(row.policy_version),
    ...optional('clientAddress', row.client_address),
    latencyMs: Number(row.latency_ms),
    chain: text(row.chain),
    sequence: Number(row.sequence),
    previousHash: text(row.previous_hash),
    hash: text(row.hash),
  };
}

/** The hash the row's content gives; undefined when the row cannot even be read. */
function recomputedHash(row: RecordRow): string | undefined {
  try {
    const record = recordOf(row);
    return recordHash(record, record.chain, record.sequence, record.previousHash);
  } catch {
    return undefined;
  }
}

function validDate(date: Date | undefined, name: string): string | undefined {
  if (date === undefined) return undefined;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new AccessLogError('ARGUMENT_INVALID', `${name} is not a valid date`);
  }
  return date.toISOString();
}

type Broken = Extract<VerifyResult, { ok: false }>;
const broken = (chain: string, sequence: number, reason: BrokenLinkReason): Broken => ({
  ok: false,
  firstBroken: { chain, sequence, reason },
});

export type StoreSettings = {
  checkpointKey: CheckpointKey;
  checkpointEvery: number;
  chain: string;
  now: () => Date;
};

/** The access log over either database; see `AccessLogStore` for the contract. */
export function createAccessLogStore(db: LogDatabase, settings: StoreSettings): AccessLogStore {
  const { checkpointKey, checkpointEvery, chain, now } = settings;
  if (!CHAIN_NAME.test(chain)) {
    throw new AccessLogError(
      'ARGUMENT_INVALID',
      `the chain name "${chain}" must be lower-case letters, digits, _ . -`,
    );
  }
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1) {
    throw new AccessLogError('ARGUMENT_INVALID', 'checkpointEvery must be a whole number above 0');
  }
  const chains = db.table('chains');
  const records = db.table('records');
  const subjects = db.table('subjects');
  const checkpoints = db.table('checkpoints');
  let closed = false;

  async function addCheckpoint(
    tx: SqlExecutor,
    claim: { chain: string; sequence: number; hash: string },
    kind: CheckpointKind,
  ): Promise<void> {
    const signedAt = now();
    const signature = await signCheckpoint(checkpointKey, claim, kind, signedAt);
    await tx.run(`DELETE FROM ${checkpoints} WHERE chain = ? AND sequence = ?`, [
      claim.chain,
      claim.sequence,
    ]);
    await tx.insert(
      checkpoints,
      ['chain', 'sequence', 'hash', 'kind', 'signed_at', 'signature'],
      [[claim.chain, claim.sequence, claim.hash, kind, signedAt.toISOString(), signature]],
    );
  }

  function requireOpen(): void {
    if (closed) throw new AccessLogUnavailableError('the access log store is closed');
  }

  async function verifyChain(tx: SqlExecutor, head: HeadRow): Promise<Broken | number> {
    const name = head.chain;
    const lastSequence = Number(head.last_sequence);
    const signed = (
      await tx.all<CheckpointRow>(
        `SELECT sequence, hash, signature FROM ${checkpoints} WHERE chain = ? ORDER BY sequence`,
        [name],
      )
    ).map((row) => ({ sequence: Number(row.sequence), hash: row.hash, signature: row.signature }));
    const kindOf = (checkpoint: (typeof signed)[number]) =>
      verifiedCheckpointKind(
        checkpointKey,
        { chain: name, sequence: checkpoint.sequence, hash: checkpoint.hash },
        checkpoint.signature,
      );
    const [bounds] = await tx.all<{ first: number | string | null }>(
      `SELECT MIN(sequence) AS first FROM ${records} WHERE chain = ?`,
      [name],
    );
    const first =
      bounds?.first === null || bounds?.first === undefined
        ? lastSequence + 1
        : Number(bounds.first);

    // Where the chain starts: its genesis, or the signed checkpoint of the
    // last purge. Only a purge checkpoint can anchor: a periodic one would
    // let anyone delete the log's start up to it.
    let anchor = { sequence: 0, hash: GENESIS_HASH };
    let next = 0;
    if (first > 1) {
      let purgeCut: (typeof signed)[number] | undefined;
      for (; next < signed.length && (signed[next]?.sequence ?? 0) < first; next += 1) {
        const checkpoint = signed[next];
        if (checkpoint === undefined) break;
        const kind = await kindOf(checkpoint);
        if (kind === undefined) return broken(name, checkpoint.sequence, 'checkpoint-signature');
        if (kind === 'purge') purgeCut = checkpoint;
      }
      if (purgeCut === undefined) return broken(name, 1, 'record-missing');
      if (purgeCut.sequence !== first - 1) {
        return broken(name, purgeCut.sequence + 1, 'record-missing');
      }
      anchor = purgeCut;
    }

    let expected = anchor.sequence + 1;
    let previous = anchor.hash;
    for (;;) {
      const page = await tx.all<RecordRow>(
        `SELECT * FROM ${records} WHERE chain = ? AND sequence >= ? ORDER BY sequence LIMIT ?`,
        [name, expected, VERIFY_PAGE],
      );
      for (const row of page) {
        const sequence = Number(row.sequence);
        if (sequence !== expected) return broken(name, expected, 'record-missing');
        if (row.previous_hash !== previous) return broken(name, sequence, 'link-mismatch');
        if (recomputedHash(row) !== row.hash) return broken(name, sequence, 'hash-mismatch');
        for (; next < signed.length && (signed[next]?.sequence ?? 0) <= sequence; next += 1) {
          const checkpoint = signed[next];
          if (checkpoint === undefined) break;
          if ((await kindOf(checkpoint)) === undefined) {
            return broken(name, checkpoint.sequence, 'checkpoint-signature');
          }
          if (checkpoint.sequence !== sequence || checkpoint.hash !== row.hash) {
            return broken(name, checkpoint.sequence, 'checkpoint-mismatch');
          }
        }
        previous = String(row.hash);
        expected += 1;
      }
      if (page.length < VERIFY_PAGE) break;
    }

    const last = expected - 1;
    if (last < lastSequence) return broken(name, last + 1, 'record-missing');
    if (last > lastSequence) return broken(name, lastSequence + 1, 'head-mismatch');
    if (previous !== head.last_hash) return broken(name, last, 'head-mismatch');
    // Checkpoints past the last record name records that do not exist.
    for (const checkpoint of signed.slice(next)) {
      if ((await kindOf(checkpoint)) === undefined) {
        return broken(name, checkpoint.sequence, 'checkpoint-signature');
      }
      return broken(name, checkpoint.sequence, 'checkpoint-mismatch');
    }
    return last - anchor.sequence;
  }

  async function verify(): Promise<VerifyResult> {
    requireOpen();
    return db.snapshot(async (tx) => {
      const heads = await tx.all<HeadRow>(`SELECT * FROM ${chains}`);
      const starts = await tx.all<{ chain: string; first: number | string }>(
        `SELECT chain, MIN(sequence) AS first FROM ${records} GROUP BY chain
         UNION ALL SELECT chain, MIN(sequence) AS first FROM ${checkpoints} GROUP BY chain`,
      );
      const headOf = new Map(heads.map((head) => [head.chain, head]));
      const names = [...new Set([...headOf.keys(), ...starts.map((start) => start.chain)])].sort();
      let total = 0;
      for (const name of names) {
        const head = headOf.get(name);
        if (head === undefined) {
          // Records without a head: the head row was deleted.
          const first = Math.min(
            ...starts.filter((start) => start.chain === name).map((start) => Number(start.first)),
          );
          return broken(name, first, 'head-mismatch');
        }
        const result = await verifyChain(tx, head);
        if (typeof result !== 'number') return result;
        total += result;
      }
      return { ok: true, records: total, chains: names.length };
    });
  }

  return {
    async append(batch) {
      requireOpen();
      const parsed = parseAccessRecords(batch);
      if (parsed.length === 0) return;
      if (checkpointKey.privateKey === undefined) {
        throw new AccessLogUnavailableError(
          'the access log was opened without the checkpoint private key: it cannot append',
        );
      }
      try {
        await db.write(async (tx) => {
          await tx.run(
            `INSERT INTO ${chains} (chain, last_sequence, last_hash, checkpointed_sequence)
             VALUES (?, 0, ?, 0) ON CONFLICT (chain) DO NOTHING`,
            [chain, GENESIS_HASH],
          );
          const [head] = await tx.all<HeadRow>(
            `SELECT * FROM ${chains} WHERE chain = ?${db.lockClause}`,
            [chain],
          );
          if (head === undefined) throw new Error(`the head of chain ${chain} is missing`);
          let sequence = Number(head.last_sequence);
          let previous = head.last_hash;
          const rows: SqlValue[][] = [];
          const subjectRows: SqlValue[][] = [];
          for (const record of parsed) {
            sequence += 1;
            const hash = recordHash(record, chain, sequence, previous);
            rows.push(rowValues(record, chain, sequence, previous, hash));
            for (const subjectRef of new Set(record.subjectRefs)) {
              subjectRows.push([subjectRef, chain, sequence]);
            }
            previous = hash;
          }
          await tx.insert(records, RECORD_COLUMNS, rows);
          if (subjectRows.length > 0) {
            await tx.insert(subjects, ['subject_ref', 'chain', 'sequence'], subjectRows);
          }
          let checkpointed = Number(head.checkpointed_sequence);
          if (sequence - checkpointed >= checkpointEvery) {
            await addCheckpoint(tx, { chain, sequence, hash: previous }, 'periodic');
            checkpointed = sequence;
          }
          await tx.run(
            `UPDATE ${chains} SET last_sequence = ?, last_hash = ?, checkpointed_sequence = ? WHERE chain = ?`,
            [sequence, previous, checkpointed, chain],
          );
        });
      } catch (error) {
        throw new AccessLogUnavailableError(
          `the access log could not commit ${parsed.length} record(s): ${messageOf(error)}`,
          { cause: error },
        );
      }
    },

    verify,

    async search(filter = {}) {
      requireOpen();
      const conditions: string[] = [];
      const params: SqlValue[] = [];
      if (filter.subjectRef !== undefined) {
        if (!SUBJECT_REF.test(filter.subjectRef)) {
          throw new AccessLogError(
            'ARGUMENT_INVALID',
            'subjectRef must be a subject reference (64 hex digits), never a person id: hash the id with the subject reference key',
          );
        }
        conditions.push(
          `EXISTS (SELECT 1 FROM ${subjects} s WHERE s.subject_ref = ? AND s.chain = r.chain AND s.sequence = r.sequence)`,
        );
        params.push(filter.subjectRef);
      }
      const equal: [keyof AccessLogFilter, string][] = [
        ['reuserId', 'reuser_id'],
        ['purposeId', 'purpose_id'],
        ['outcome', 'outcome'],
      ];
      for (const [key, column] of equal) {
        const value = filter[key];
        if (value === undefined) continue;
        conditions.push(`r.${column} = ?`);
        params.push(String(value));
      }
      const from = validDate(filter.from, 'from');
      if (from !== undefined) {
        conditions.push('r.occurred_at >= ?');
        params.push(from);
      }
      const to = validDate(filter.to, 'to');
      if (to !== undefined) {
        conditions.push('r.occurred_at < ?');
        params.push(to);
      }
      const limit = filter.limit ?? DEFAULT_SEARCH_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
        throw new AccessLogError(
          'ARGUMENT_INVALID',
          `limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`,
        );
      }
      params.push(limit);
      let rows: RecordRow[];
      try {
        rows = await db.snapshot((tx) =>
          tx.all<RecordRow>(
            `SELECT r.* FROM ${records} r
             ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
             ORDER BY r.occurred_at DESC, r.chain, r.sequence DESC LIMIT ?`,
            params,
          ),
        );
      } catch (error) {
        throw new AccessLogUnavailableError(`cannot search the access log: ${messageOf(error)}`, {
          cause: error,
        });
      }
      return rows.map((row) => {
        try {
          return recordOf(row);
        } catch {
          throw new AccessLogError(
            'ARGUMENT_INVALID',
            `record ${row.chain}#${row.sequence} is malformed: the log was altered (run passerelle log verify)`,
          );
        }
      });
    },

    async purge(before) {
      requireOpen();
      const cutoff = validDate(before, 'before') ?? '';
      // Purging over an altered log would sign the alteration into a checkpoint.
      const check = await verify();
      if (!check.ok) {
        const { chain: name, sequence, reason } = check.firstBroken;
        throw new AccessLogError(
          'CHAIN_BROKEN',
          `refusing to purge: the log is broken at ${name}#${sequence} (${reason}); keep it as evidence and investigate`,
        );
      }
      try {
        return await db.write(async (tx) => {
          const result: PurgeResult = { purged: 0, cuts: [] };
          const heads = await tx.all<HeadRow>(
            `SELECT * FROM ${chains} ORDER BY chain${db.lockClause}`,
          );
          for (const head of heads) {
            const [young] = await tx.all<{ first: number | string | null }>(
              `SELECT MIN(sequence) AS first FROM ${records} WHERE chain = ? AND occurred_at >= ?`,
              [head.chain, cutoff],
            );
            const cut =
              young?.first === null || young?.first === undefined
                ? Number(head.last_sequence)
                : Number(young.first) - 1;
            const [last] = await tx.all<{ hash: string }>(
              `SELECT hash FROM ${records} WHERE chain = ? AND sequence = ?`,
              [head.chain, cut],
            );
            if (last === undefined) continue;
            await addCheckpoint(tx, { chain: head.chain, sequence: cut, hash: last.hash }, 'purge');
            await tx.run(`DELETE FROM ${subjects} WHERE chain = ? AND sequence <= ?`, [
              head.chain,
              cut,
            ]);
            result.purged += await tx.run(
              `DELETE FROM ${records} WHERE chain = ? AND sequence <= ?`,
              [head.chain, cut],
            );
            await tx.run(`DELETE FROM ${checkpoints} WHERE chain = ? AND sequence < ?`, [
              head.chain,
              cut,
            ]);
            result.cuts.push({ chain: head.chain, sequence: cut });
          }
          return result;
        });
      } catch (error) {
        throw new AccessLogUnavailableError(`the purge failed: ${messageOf(error)}`, {
          cause: error,
        });
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
