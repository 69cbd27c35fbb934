import type { Server } from 'node:http';
import {
  type ApolloServer,
  HeaderMap,
  type HTTPGraphQLRequest,
  type HTTPGraphQLResponse,
} from '@apollo/server';
import type { Clock, PolicySet } from '../../policies/engine/index.js';
import { type AccessRecorder, Disclosure, type RequestFacts } from '../accessRecording/index.js';
import {
  type BindOutcome,
  type ClientInfo,
  type CredentialSource,
  createRequestBinder,
} from '../boundRequest/index.js';
import type { GatewayConfig } from '../config/index.js';
import { createDocumentGuardsStage } from '../documentGuards/index.js';
import { PasserelleError } from '../errors/index.js';
import { createGraphQLServer } from '../graphql/index.js';
import type { Logger } from '../logging/index.js';
import { type MetricsRegistry, REFUSALS, refusalCountingPlugin } from '../metrics/index.js';
import type { PolicyStore } from '../policySet/index.js';
import { createPreflightStage } from '../preflight/index.js';
import { bindPurpose } from '../purposeBinding/index.js';
import { type RateLimitState, type RateLimits, rateLimitHeaders } from '../rateLimits/index.js';
import type { Caller, GatewayContext } from '../requestContext/index.js';
import type { SubgraphServices } from '../subgraphClient/index.js';
import { type SubjectLimits, SubjectTally } from '../subjects/index.js';
import { annotateRequest } from '../telemetry/index.js';

/** Response headers of every GraphQL response. */
export const RESPONSE_HEADERS = {
  /** The policy version the request was decided with. */
  policyVersion: 'passerelle-policy-version',
  /** The request's id, to quote when asking about it (and the access-log key). */
  requestId: 'passerelle-request-id',
} as const;

export type RequestPipeline = {
  /** Serves one GraphQL-over-HTTP request, from its method, headers, query string and parsed body. */
  serve(request: HTTPGraphQLRequest, client: ClientInfo): Promise<HTTPGraphQLResponse>;
  /** Apollo Server, for the gateway's start and graceful stop. */
  graphqlServer: ApolloServer<GatewayContext>;
};

export type RequestPipelineOptions = {
  config: GatewayConfig;
  supergraphSdl: string;
  subgraphServices: SubgraphServices;
  httpServer: Server;
  policies: PolicyStore;
  /** Who asks: the client assertion (`authentication/`). */
  credentials: CredentialSource;
  clock: Clock;
  logger: Logger;
  /** Requests per minute per (re-user, purpose) (`rateLimits/`). */
  rateLimits: RateLimits;
  /** Distinct persons per response and per day (`subjects/`). */
  subjectLimits: SubjectLimits;
  /** Where refusals are counted, per error code. */
  metrics: MetricsRegistry;
  /** Each request's access record, committed before its response leaves (`accessRecording/`). */
  accessRecorder: AccessRecorder;
};

function refusal(error: PasserelleError): HTTPGraphQLResponse {
  annotateRequest({ errorCode: error.code });
  const headers = new HeaderMap([
    ['content-type', 'application/json; charset=utf-8'],
    ...Object.entries(error.responseHeaders()),
  ]);
  return {
    status: error.status,
    headers,
    body: { kind: 'complete', string: JSON.stringify(error.toResponseBody()) },
  };
}

function withRequestHeaders(
  response: HTTPGraphQLResponse,
  policySet: PolicySet,
  requestId: string,
  rateLimit?: RateLimitState,
): HTTPGraphQLResponse {
  response.headers.set(RESPONSE_HEADERS.policyVersion, policySet.version);
  response.headers.set(RESPONSE_HEADERS.requestId, requestId);
  if (rateLimit !== undefined) {
    for (const [name, value] of rateLimitHeaders(rateLimit)) response.headers.set(name, value);
  }
  return response;
}

/**
 * The gateway's per-request pipeline, in order. Each stage is its own
 * module; this file only calls them, and says why each comes where it does.
 *
 *   0. (HTTP layer)      server/, telemetry/  the request's span, continuing the client's trace
 *   1. bind request      boundRequest/     who asks (authentication/: the signed client
 *                                          assertion), for which purpose, request and trace ids
 *   2. purpose binding   purposeBinding/   re-user and purpose declared, granted, in force
 *   2a. rate limit       rateLimits/       requests per minute per (re-user, purpose)
 *   2b. document guards  documentGuards/   size, tokens, depth, aliases, root fields,
 *                                          directives, fragment cycles
 *   3. parse, validate   Apollo Server; then the estimated cost (documentGuards/)
 *   4. policy pre-flight preflight/        the operation against the purpose, by mode
 *                                          (enumerating fields refused or bounded)
 *   5. plan & execute    @apollo/gateway, through the pre-flight's filter; the data
 *                                          holders report the persons served (subjects/)
 *   5b. subject limits   subjects/         persons per response, then per day
 *   6. access log        accessRecording/  one record per request, whatever its outcome,
 *                                          committed before the response leaves, else 503
 *   7. respond           here: the policy version and request id on every response,
 *                        the RateLimit-* headers on every response past 2a
 */
export function createRequestPipeline(options: RequestPipelineOptions): RequestPipeline {
  const { config, policies, clock, logger } = options;
  const binder = createRequestBinder(config.mode, options.credentials);
  const guards = createDocumentGuardsStage({
    limits: config.guards,
    supergraphSdl: options.supergraphSdl,
  });
  const preflight = createPreflightStage({ logger, clock });
  const { rateLimits, subjectLimits, metrics, accessRecorder } = options;
  const refused = (error: PasserelleError): HTTPGraphQLResponse => {
    metrics.increment(REFUSALS, error.code);
    return refusal(error);
  };

  const graphqlServer = createGraphQLServer<GatewayContext>({
    config,
    supergraphSdl: options.supergraphSdl,
    subgraphServices: options.subgraphServices,
    httpServer: options.httpServer,
    logger,
    // 3 -> 4: the cost estimate and the pre-flight need the parsed, validated,
    // resolved operation, and run at didResolveOperation, before Apollo hands
    // it to the planner; cost first, so a too costly query is refused whatever it asks.
    stages: [guards.plugin, preflight.plugin, refusalCountingPlugin(options.metrics)],
    // 4 -> 5: in filter mode, the planner gets the operation without its
    // denied fields, so no data holder is ever asked for them.
    planAndExecute: preflight.wrapExecutor,
  });

  async function serve(
    request: HTTPGraphQLRequest,
    client: ClientInfo,
  ): Promise<HTTPGraphQLResponse> {
    const receivedAt = new Date().toISOString();
    const startedMs = performance.now();
    // One policy snapshot and one "today" for the whole request: a reload or
    // midnight in the middle of it never mixes two versions in one decision.
    const policySet = policies.current();
    const today = clock.today();

    // 1. Bind the request before anything else: every later stage, log line
    // and subgraph call reads who asks from this value, never from headers.
    // The client assertion is verified here (cached per token until its exp).
    const bound = await binder.bind(request.headers, client);
    const requestId = bound.kind === 'bound' ? bound.request.requestId : bound.requestId;
    // The request's span says who asks once the assertion is verified; never
    // the agent or the reason, which may name people.
    annotateRequest({
      requestId,
      policyVersion: policySet.version,
      ...(bound.kind === 'bound' ? { reuserId: bound.request.reuserId } : {}),
    });
    const facts: RequestFacts = {
      receivedAt,
      startedMs,
      requestId,
      traceId: bound.kind === 'bound' ? bound.request.traceId : bound.traceId,
      clientAddress: client.address,
      policyVersion: policySet.version,
      ...(bound.kind === 'bound'
        ? {
            reuserId: bound.request.reuserId,
            agent: bound.request.agent,
            purposeId: bound.request.purposeId,
            ...(bound.request.reason === undefined ? {} : { reason: bound.request.reason }),
          }
        : {}),
      ...(bound.kind === 'refused' && bound.claimedReuser !== undefined
        ? { reuserId: bound.claimedReuser }
        : {}),
    };
    const decided = await decide(request, bound, facts, policySet, today);

    // 6. The access record, committed before anything leaves: if it cannot
    // be, the client gets a 503 and none of the data (no log, no data).
    const unavailable = await accessRecorder.record(request, facts, decided.response);
    const response =
      unavailable === undefined
        ? withRequestHeaders(decided.response, policySet, requestId, decided.rateLimit)
        : withRequestHeaders(refused(unavailable), policySet, requestId);
    // 7. Respond, counting how long it took by outcome.
    const status = response.status ?? 200;
    metrics.observeDuration(
      status < 400 ? 'served' : status < 500 ? 'refused' : 'failed',
      (performance.now() - startedMs) / 1000,
    );
    return response;
  }

  /** Stages 2 to 5b: the response to send, or the refusal of the first stage that refuses. */
  async function decide(
    request: HTTPGraphQLRequest,
    bound: BindOutcome,
    facts: RequestFacts,
    policySet: PolicySet,
    today: string,
  ): Promise<{ response: HTTPGraphQLResponse; rateLimit?: RateLimitState }> {
    const refuse = (error: PasserelleError, rateLimit?: RateLimitState) => {
      facts.refusal = error;
      return { response: refused(error), ...(rateLimit === undefined ? {} : { rateLimit }) };
    };
    if (bound.kind === 'refused') return refuse(bound.error);

    // 2. Purpose binding, before parsing: an unknown, ungranted or inactive
    // purpose costs no parse or validation work, and its refusal says so
    // whatever the query. Anonymous sandbox requests go on: only after
    // parsing can the pre-flight tell whether they ask for the schema alone.
    let caller: Caller;
    let rateLimit: RateLimitState | undefined;
    if (bound.kind === 'bound') {
      const outcome = bindPurpose({
        request: bound.request,
        policySet,
        today,
        source: binder.source,
      });
      if (!outcome.ok) return refuse(outcome.error);
      facts.legalBasis = outcome.binding.purpose.legalBasis;
      // Only a purpose the policies know: the claim itself is free text.
      annotateRequest({ purposeId: outcome.binding.purpose.id });
      caller = { kind: 'purpose', binding: outcome.binding };
      // 2a. Rate limit, right after purpose binding: the limit is the
      // purpose's, and a request for an unknown or refused purpose costs
      // nothing; before the document guards, so that a re-user over its
      // limit makes the gateway do no work on its documents. Every request
      // counts, whatever later refuses it.
      const limited = await rateLimits.consume(outcome.binding);
      rateLimit = limited.state;
      if (!limited.ok) return refuse(limited.error, rateLimit);
    } else {
      caller = { kind: 'anonymous', missing: bound.missing };
    }
    // 2b. Document guards, before Apollo Server parses and validates: that
    // work grows with the document, so its size is bounded first. After
    // purpose binding: a purpose may tighten the depth limit.
    const guardRefusal = guards.check(request, caller);
    if (guardRefusal !== undefined) return refuse(guardRefusal, rateLimit);

    const context: GatewayContext = {
      requestId: facts.requestId,
      traceId: facts.traceId,
      mode: config.mode,
      today,
      policySet,
      caller,
      subjects: new SubjectTally(),
      disclosure: new Disclosure(),
    };
    facts.disclosure = context.disclosure;

    // 3-5. Parse, validate, pre-flight, plan and execute: Apollo Server runs
    // the stages registered above, in order.
    const response = await graphqlServer.executeHTTPGraphQLRequest({
      httpGraphQLRequest: request,
      context: async () => context,
    });

    // 5b. Subject limits. Persons are counted after the fetches, because
    // only the data holders know whom a lookup matches. This is still safe:
    // the response is a value in this process until serve() returns it, so
    // a refusal here replaces it whole and no byte of its data leaves the
    // gateway; the data holders' own logs record what they served the gateway.
    if (caller.kind === 'purpose') {
      let subjectRefusal: PasserelleError | undefined;
      try {
        subjectRefusal = await subjectLimits.check({
          binding: caller.binding,
          tally: context.subjects,
          today,
        });
      } catch (error) {
        // The daily count could not be made durable: no data rather than an uncounted answer.
        logger.error({ err: error, requestId: facts.requestId }, 'daily subject store unavailable');
        subjectRefusal = new PasserelleError('INTERNAL_SERVER_ERROR');
      }
      if (subjectRefusal !== undefined) {
        logger.info(
          {
            requestId: facts.requestId,
            code: subjectRefusal.code,
            subjects: context.subjects.size,
          },
          'response refused by a subject limit',
        );
        return refuse(subjectRefusal, rateLimit);
      }
    }
    facts.personIds = context.subjects.ids();
    return { response, ...(rateLimit === undefined ? {} : { rateLimit }) };
  }

  return { serve, graphqlServer };
}
