import type { AccessOutcome, AccessRecord, ChainedAccessRecord } from './accessRecord.js';
import type { CheckpointKey } from './checkpoint.js';

/** What `search` selects; every criterion given must hold. */
export type AccessLogFilter = {
  /** A subject reference (`createSubjectReferencer`), never a raw person id. */
  subjectRef?: string;
  reuserId?: string;
  purposeId?: string;
  /** Records at or after this instant. */
  from?: Date;
  /** Records strictly before this instant. */
  to?: Date;
  outcome?: AccessOutcome['status'];
  /** At most this many records, newest first. Default 100, at most 10,000. */
  limit?: number;
};

/** Why `verify` stopped trusting a chain at a given sequence. */
export type BrokenLinkReason =
  /** The record at this sequence is missing (deleted, or the chain's start was cut without a signed checkpoint). */
  | 'record-missing'
  /** The record's `previousHash` is not the hash of the record before it (reordered, or replaced whole). */
  | 'link-mismatch'
  /** The record's content no longer gives its stored hash (a field was modified). */
  | 'hash-mismatch'
  /** A checkpoint's signature is invalid or signs something else (forged or altered). */
  | 'checkpoint-signature'
  /** A validly signed checkpoint names a hash the record at its sequence does not have. */
  | 'checkpoint-mismatch'
  /** The chain's recorded head is not its last record (records removed from the end). */
  | 'head-mismatch';

export type VerifyResult =
  | { ok: true; records: number; chains: number }
  | {
      ok: false;
      /** The first place, in chain then sequence order, where the log cannot be trusted. */
      firstBroken: { chain: string; sequence: number; reason: BrokenLinkReason };
    };

export type PurgeResult = {
  /** Records deleted. */
  purged: number;
  /** Per chain that lost records: the sequence of the last deleted record, now a signed checkpoint. */
  cuts: { chain: string; sequence: number }[];
};

/**
 * The durable, tamper-evident access log (DOMAIN.md T1, T3, T5).
 *
 * Records form hash chains: each carries its chain, a gap-free `sequence`
 * and the hash of the record before it. Every `checkpointEvery` records, and
 * at each purge's cut, the store signs (chain, sequence, hash) with its
 * Ed25519 checkpoint key, so that rewriting a chain wholesale needs the key.
 */
export type AccessLogStore = {
  /**
   * Validates every record (`RECORD_INVALID`: nothing written), then appends
   * them in one transaction; resolves once it is committed durably (SQLite
   * `synchronous=FULL`, PostgreSQL commit). Any failure to commit is an
   * `AccessLogUnavailableError`.
   */
  append(records: readonly AccessRecord[]): Promise<void>;
  /**
   * Checks every chain from its start (or from the signed checkpoint of its
   * last purge): sequence continuity, links, hashes, checkpoint signatures,
   * and that the chain's head is its last record. Reports the first broken
   * link. Runs on a snapshot: concurrent appends are not seen.
   */
  verify(): Promise<VerifyResult>;
  /** Records matching the filter, newest first. */
  search(filter?: AccessLogFilter): Promise<ChainedAccessRecord[]>;
  /**
   * Deletes the records older than `before` from the start of each chain and
   * signs a checkpoint at the cut, so the rest stays verifiable. A record
   * older than `before` that follows a younger one in its chain (a replica's
   * clock behind) is kept until the younger one goes.
   */
  purge(before: Date): Promise<PurgeResult>;
  close(): Promise<void>;
};

/** Where the log is: the same store as the key registry (`keyStoreFor`). */
export type AccessLogLocation =
  /** `<dataDir>/access-log.sqlite`. */
  | { kind: 'sqlite'; dataDir: string }
  /** Tables are created in `schema` (default `public`) when missing. */
  | { kind: 'postgres'; url: string; schema?: string };

export type AccessLogStoreOptions = AccessLogLocation & {
  checkpointKey: CheckpointKey;
  /** A signed checkpoint every this many records of a chain. Default 1,000. */
  checkpointEvery?: number;
  /**
   * The chain this store appends to. Default `main`: every replica shares
   * one chain (see the PostgreSQL store for why).
   */
  chain?: string;
  /** The clock checkpoints are dated with; tests move it. */
  now?: () => Date;
};
