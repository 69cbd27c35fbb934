import type { HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import {
  type AccessLogWriter,
  type AccessOutcome,
  type AccessRecord,
  documentHashOf,
  type SubjectReferencer,
} from '../accessLog/index.js';
import { PasserelleError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { Disclosure } from './disclosure.js';

/** Stands for a claim nobody made (an unauthenticated or anonymous request). */
const NONE = '-';

/** What the pipeline learnt about one request, from its arrival to its response. */
export type RequestFacts = {
  /** When the request arrived (ISO 8601 UTC) and `performance.now()` then. */
  readonly receivedAt: string;
  readonly startedMs: number;
  readonly requestId: string;
  readonly traceId: string;
  readonly clientAddress: string;
  readonly policyVersion: string;
  /** Who asks, once authenticated; the claimed re-user of a refused assertion. */
  reuserId?: string;
  agent?: string;
  purposeId?: string;
  reason?: string;
  /** Set once the purpose is bound. */
  legalBasis?: string;
  /** The refusal the pipeline made itself, when it made one. */
  refusal?: PasserelleError;
  disclosure?: Disclosure;
  /** The person ids the data holders reported serving. */
  personIds?: readonly string[];
};

export type AccessRecorder = {
  /**
   * Writes the request's access record durably. Resolves undefined once it
   * is committed, or with the 503 `ACCESS_LOG_UNAVAILABLE` error to send in
   * place of the response when it cannot be written in time (no log, no data).
   */
  record(
    request: HTTPGraphQLRequest,
    facts: RequestFacts,
    response: HTTPGraphQLResponse,
  ): Promise<PasserelleError | undefined>;
};

function queryTextOf(request: HTTPGraphQLRequest): string {
  const body = request.body as { query?: unknown } | undefined;
  if (typeof body?.query === 'string') return body.query;
  return new URLSearchParams(request.search).get('query') ?? '';
}

/** The first error code of a response body, when it has one. */
function errorCodeOf(response: HTTPGraphQLResponse): string | undefined {
  if (response.body.kind !== 'complete') return undefined;
  try {
    const body = JSON.parse(response.body.string) as {
      errors?: { extensions?: { code?: unknown } }[];
    };
    const code = body.errors?.[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function outcomeOf(facts: RequestFacts, response: HTTPGraphQLResponse): AccessOutcome {
  const status = response.status ?? 200;
  if (status < 400) return { status: 'allowed' };
  const code = facts.refusal?.code ?? errorCodeOf(response) ?? 'UNKNOWN';
  return { status: status >= 500 ? 'error' : 'denied', code };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the access log did not commit within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The access log's side of the pipeline (DOMAIN.md T1, DESIGN.md "no log,
 * no data"): one record per GraphQL request, whatever its outcome, built
 * from the request's facts and committed (group commit, fsync) before the
 * response is handed back. Persons appear only as subject references, the
 * query only as its hash, and what was disclosed only as coordinates, and
 * only when data was served.
 */
export function createAccessRecorder(options: {
  writer: AccessLogWriter;
  referencer: SubjectReferencer;
  logger: Logger;
  /** Longest wait for a commit before answering 503. */
  timeoutMs: number;
}): AccessRecorder {
  const { writer, referencer, logger } = options;
  return {
    async record(request, facts, response) {
      const outcome = outcomeOf(facts, response);
      const served = outcome.status === 'allowed';
      const record: AccessRecord = {
        timestamp: facts.receivedAt,
        requestId: facts.requestId,
        traceId: facts.traceId,
        reuserId: facts.reuserId ?? NONE,
        agent: facts.agent ?? NONE,
        purposeId: facts.purposeId ?? NONE,
        legalBasis: facts.legalBasis ?? NONE,
        ...(facts.reason === undefined ? {} : { reason: facts.reason }),
        ...(facts.disclosure?.operationType === undefined
          ? {}
          : { operationType: facts.disclosure.operationType }),
        ...(facts.disclosure?.operationName === undefined
          ? {}
          : { operationName: facts.disclosure.operationName.slice(0, 1_000) }),
        documentHash: documentHashOf(queryTextOf(request)),
        coordinates: served ? [...(facts.disclosure?.coordinates ?? [])] : [],
        subjectRefs: served ? (facts.personIds ?? []).map(referencer) : [],
        outcome,
        policyVersion: facts.policyVersion,
        clientAddress: facts.clientAddress,
        latencyMs: Math.max(0, performance.now() - facts.startedMs),
      };
      try {
        await withTimeout(writer.write(record), options.timeoutMs);
        return undefined;
      } catch (error) {
        logger.error(
          { err: error, requestId: facts.requestId },
          'access log unavailable: response withheld',
        );
        return new PasserelleError('ACCESS_LOG_UNAVAILABLE', {}, { cause: error });
      }
    },
  };
}
