import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_POLICIES_DIR } from '../../policies/engine/index.js';
import {
  AccessLogError,
  DEFAULT_CHECKPOINT_EVERY,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_DELAY_MS,
  type Retention,
  retentionFor,
} from '../accessLog/index.js';

/**
 * Gateway and launcher configuration. This is the only module of the gateway
 * that reads `process.env`: everything else receives a parsed, defaulted,
 * frozen value. Parsing collects every problem and throws one `ConfigError`
 * listing them all, so an operator fixes the environment in one pass.
 */

/** Environment as read: empty strings count as unset. */
type Environment = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * HTTP client used for subgraph calls. `node-fetch` (v2, keep-alive agent) is
 * the default: it costs about half the CPU per call of the others (STACK.md,
 * "Fetcher recommendation"). The other two exist so the benchmark can compare.
 */
const SUBGRAPH_FETCHERS = ['node-fetch', 'default', 'undici'] as const;
export type SubgraphFetcherKind = (typeof SUBGRAPH_FETCHERS)[number];

export type SubgraphEndpoint = Readonly<{ name: string; url: string }>;

/** Subgraph names appear in logs, errors and the supergraph: keep them plain. */
const SUBGRAPH_NAME = /^[a-z][a-z0-9-]*$/;

function wholeNumber(min: number, max: number) {
  const problem = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { error: problem })
    .transform(Number)
    .refine((value) => value >= min && value <= max, { error: problem });
}

const port = wholeNumber(0, 65535);
const milliseconds = wholeNumber(1, 3_600_000);
const mode = z.enum(['sandbox', 'production'], { error: "must be 'sandbox' or 'production'" });
const logLevel = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });
const host = z.string().trim().min(1, { error: 'must not be empty' });
/** Relative paths are taken from the working directory, and passed on absolute. */
const dataDir = z.string().transform((path) => resolve(path));
const filePath = z.string().transform((path) => resolve(path));

/**
 * Where the gateway's context key pair is (`contextToken/`): the operator's
 * private key file, or one generated in `<dataDir>/keys/` at the first start.
 * The public half goes where the data holders read it.
 */
export type ContextKeyLocation = Readonly<{
  source: 'generated' | 'operator';
  privateKeyFile: string;
  publicKeyFile: string;
}>;

function contextKeyLocation(
  dir: string,
  privateKeyFile: string | undefined,
  publicKeyFile: string | undefined,
): ContextKeyLocation {
  return Object.freeze({
    source: privateKeyFile === undefined ? 'generated' : 'operator',
    privateKeyFile: privateKeyFile ?? join(dir, 'keys', 'gateway-context.private.jwk'),
    publicKeyFile: publicKeyFile ?? join(dir, 'keys', 'gateway-context.public.jwk'),
  });
}

/**
 * How long access records are kept (DOMAIN.md T3): `1y` by default; under
 * six months is refused here (only `passerelle log purge --force` may go
 * below, as a deliberate one-off).
 */
const logRetention = z.string().transform((text, context): Retention => {
  try {
    return retentionFor(text);
  } catch (error) {
    if (!(error instanceof AccessLogError)) throw error;
    context.issues.push({ code: 'custom', message: error.message, input: text });
    return z.NEVER;
  }
});

/**
 * The access log's keys, kept in `<dataDir>/keys/`, outside the log store
 * (DECISIONS.md section 3), and its retention.
 */
export type AccessLogFiles = Readonly<{
  /** HMAC key of subject references. */
  subjectReferenceKeyFile: string;
  /** Ed25519 key pair signing the log's checkpoints. */
  checkpointKey: Readonly<{ privateKeyFile: string; publicKeyFile: string }>;
}>;

function accessLogFiles(dir: string): AccessLogFiles {
  return Object.freeze({
    subjectReferenceKeyFile: join(dir, 'keys', 'subject-reference.key'),
    checkpointKey: Object.freeze({
      privateKeyFile: join(dir, 'keys', 'access-log-checkpoint.private.jwk'),
      publicKeyFile: join(dir, 'keys', 'access-log-checkpoint.public.jwk'),
    }),
  });
}

/** The gateway's own certificate, for HTTPS to re-users (PEM files). */
export type GatewayTlsFiles = Readonly<{ certFile: string; keyFile: string }>;

/**
 * TLS towards the subgraphs: the CA their certificates are checked against
 * and, for mutual TLS, the gateway's client certificate (PEM files).
 */
export type SubgraphTlsFiles = Readonly<{
  caFile: string | undefined;
  clientCertificate: GatewayTlsFiles | undefined;
}>;

/** Browser origins allowed to call the gateway (CORS); none unless configured. */
const corsOrigins = z.string().transform((text, context) => {
  const origins: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const origin = URL.canParse(entry) ? new URL(entry).origin : undefined;
    if (origin === undefined || origin === 'null' || origin !== entry.replace(/\/$/, '')) {
      context.issues.push({
        code: 'custom',
        message: `"${entry}" must be an origin such as https://app.example.org (scheme, host, optional port; no path, no *)`,
        input: text,
      });
      continue;
    }
    origins.push(origin);
  }
  return Object.freeze(origins);
});

/**
 * Default limits on GraphQL documents. A query for a purpose selects a few
 * fields of a few records: these leave room for it and for the standard
 * introspection query, not for alias bombs or deep recursion. The cost
 * default (1000, lists assumed 10 items) is Apollo demand control's example.
 */
export const GUARD_DEFAULTS = Object.freeze({
  maxDepth: 10,
  maxAliases: 15,
  maxRootFields: 10,
  maxDirectives: 20,
  maxTokens: 2000,
  maxDocumentBytes: 32 * 1024,
  maxCost: 1000,
  defaultListSize: 10,
});

/** Both variables of a pair, or neither. */
function requireBoth(
  env: Readonly<Record<string, unknown>>,
  context: z.RefinementCtx,
  pair: readonly [string, string],
  why: string,
): void {
  const given = pair.filter((variable) => env[variable] !== undefined);
  if (given.length !== 1) return;
  const missing = pair.find((variable) => env[variable] === undefined) ?? '';
  context.addIssue({
    code: 'custom',
    path: [missing],
    message: `is required with ${given[0]}: ${why}`,
  });
}

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' })
  .refine(
    (text) => {
      const date = new Date(`${text}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
    },
    { error: 'must be a real calendar date' },
  );

/**
 * The PostgreSQL database of the run-time stores (key registry), shared by
 * every gateway replica. The user must be in the URL: the driver would
 * otherwise take it from $USER, which services often do not have (STACK.md,
 * pitfall 9). Messages never repeat the URL, which may hold a password.
 */
const databaseUrl = z.string().superRefine((text, context) => {
  const problem = (message: string) => context.addIssue({ code: 'custom', message });
  if (!URL.canParse(text)) {
    problem('must be a URL such as postgres://user@host:5432/database');
    return;
  }
  const url = new URL(text);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problem('must start with postgres:// (only PostgreSQL is supported)');
  } else if (url.hostname === '') {
    problem('must name the server, e.g. postgres://user@127.0.0.1:5432/database');
  } else if (url.username === '') {
    problem('must name the user, e.g. postgres://passerelle@host:5432/database');
  } else if (url.pathname === '' || url.pathname === '/') {
    problem('must name the database, e.g. postgres://user@host:5432/passerelle');
  }
});

/** Where the tables go in that database; interpolated into SQL, so a plain identifier only. */
const databaseSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, {
  error: 'must be a plain lower-case identifier (letters, digits, _), e.g. passerelle',
});

const subgraphList = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required: list the subgraphs as name=url, comma separated'
        : 'must be text',
  })
  .transform((text, context) => {
    const endpoints: SubgraphEndpoint[] = [];
    const problems: string[] = [];
    for (const entry of text.split(',').map((part) => part.trim())) {
      if (entry === '') continue;
      const separator = entry.indexOf('=');
      const name = separator === -1 ? '' : entry.slice(0, separator).trim();
      const url = separator === -1 ? '' : entry.slice(separator + 1).trim();
      if (!SUBGRAPH_NAME.test(name)) {
        problems.push(`"${entry}" must be name=url with a lower-case name (letters, digits, -)`);
        continue;
      }
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        problems.push(`subgraph "${name}" needs an http:// or https:// URL`);
        continue;
      }
      if (endpoints.some((endpoint) => endpoint.name === name)) {
        problems.push(`subgraph "${name}" is listed twice`);
        continue;
      }
      endpoints.push(Object.freeze({ name, url }));
    }
    if (endpoints.length === 0 && problems.length === 0) {
      problems.push('must list at least one subgraph as name=url, comma separated');
    }
    for (const message of problems) context.issues.push({ code: 'custom', message, input: text });
    return Object.freeze(endpoints);
  });

/** An http(s) URL without query or fragment: re-users copy it into `aud` byte for byte. */
const publicUrl = z
  .string()
  .trim()
  .refine(
    (text) =>
      URL.canParse(text) &&
      /^https?:$/.test(new URL(text).protocol) &&
      new URL(text).search === '' &&
      new URL(text).hash === '',
    {
      error:
        'must be the http:// or https:// URL re-users call, e.g. https://api.example.fr/graphql',
    },
  );

const redisUrl = z
  .string()
  .trim()
  .refine((text) => URL.canParse(text) && /^rediss?:$/.test(new URL(text).protocol), {
    error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  });

/**
 * An OTLP/HTTP collector (standard OpenTelemetry variables). The base
 * endpoint gets `/v1/traces` appended; the traces endpoint is used as is.
 */
const otlpEndpoint = z
  .string()
  .trim()
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    error:
      'must be the http:// or https:// URL of an OTLP/HTTP collector, e.g. http://otel-collector:4318',
  });

/** Where spans go: the signal-specific endpoint wins, as the OpenTelemetry specification says. */
function otlpTracesUrlOf(env: {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
}): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined) {
    return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

const gatewaySchema = z
  .object({
    PASSERELLE_MODE: mode.default('sandbox'),
    PASSERELLE_HOST: host.default('127.0.0.1'),
    PASSERELLE_PORT: port.default(4000),
    PASSERELLE_DATA_DIR: dataDir.default(() => resolve('./data')),
    PASSERELLE_SUBGRAPHS: subgraphList,
    PASSERELLE_SUBGRAPH_TIMEOUT_MS: milliseconds.default(10_000),
    PASSERELLE_SUBGRAPH_FETCHER: z
      .enum(SUBGRAPH_FETCHERS, { error: `must be one of ${SUBGRAPH_FETCHERS.join(', ')}` })
      .default('node-fetch'),
    PASSERELLE_STARTUP_TIMEOUT_MS: milliseconds.default(30_000),
    PASSERELLE_LOG_LEVEL: logLevel.default('info'),
    PASSERELLE_POLICIES_DIR: dataDir.default(() => resolve(DEFAULT_POLICIES_DIR)),
    PASSERELLE_AS_OF: calendarDate.optional(),
    PASSERELLE_DATABASE_URL: databaseUrl.optional(),
    PASSERELLE_DATABASE_SCHEMA: databaseSchema.default('public'),
    PASSERELLE_CONTEXT_PRIVATE_KEY_FILE: filePath.optional(),
    PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: filePath.optional(),
    PASSERELLE_TLS_CERT_FILE: filePath.optional(),
    PASSERELLE_TLS_KEY_FILE: filePath.optional(),
    PASSERELLE_SUBGRAPH_TLS_CA_FILE: filePath.optional(),
    PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE: filePath.optional(),
    PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE: filePath.optional(),
    PASSERELLE_CORS_ORIGINS: corsOrigins.optional(),
    PASSERELLE_PUBLIC_URL: publicUrl.optional(),
    PASSERELLE_REDIS_URL: redisUrl.optional(),
    PASSERELLE_REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{1,64}$/, {
        error: 'must be 1 to 64 letters, digits, _ : . or -, e.g. passerelle-',
      })
      .default('passerelle-'),
    PASSERELLE_AUTH_MAX_FAILURES: wholeNumber(1, 1000).default(10),
    PASSERELLE_AUTH_FAILURE_WINDOW_SECONDS: wholeNumber(1, 86_400).default(600),
    PASSERELLE_AUTH_LOCKOUT_SECONDS: wholeNumber(1, 86_400).default(900),
    // Document guards and cost analysis (documentGuards/); a purpose may tighten depth and cost.
    PASSERELLE_MAX_DEPTH: wholeNumber(1, 1_000).default(GUARD_DEFAULTS.maxDepth),
    PASSERELLE_MAX_ALIASES: wholeNumber(0, 100_000).default(GUARD_DEFAULTS.maxAliases),
    PASSERELLE_MAX_ROOT_FIELDS: wholeNumber(1, 10_000).default(GUARD_DEFAULTS.maxRootFields),
    PASSERELLE_MAX_DIRECTIVES: wholeNumber(0, 100_000).default(GUARD_DEFAULTS.maxDirectives),
    PASSERELLE_MAX_TOKENS: wholeNumber(1, 1_000_000).default(GUARD_DEFAULTS.maxTokens),
    // Beyond the HTTP layer's 1 MiB body limit, a larger document could never arrive.
    PASSERELLE_MAX_DOCUMENT_BYTES: wholeNumber(1, 1024 * 1024).default(
      GUARD_DEFAULTS.maxDocumentBytes,
    ),
    PASSERELLE_MAX_COST: wholeNumber(1, 1_000_000_000).default(GUARD_DEFAULTS.maxCost),
    PASSERELLE_DEFAULT_LIST_SIZE: wholeNumber(1, 100_000).default(GUARD_DEFAULTS.defaultListSize),
    PASSERELLE_LOG_RETENTION: logRetention.default(() => retentionFor(undefined)),
    PASSERELLE_LOG_CHECKPOINT_EVERY: wholeNumber(1, 1_000_000).default(DEFAULT_CHECKPOINT_EVERY),
    PASSERELLE_LOG_MAX_BATCH: wholeNumber(1, 10_000).default(DEFAULT_MAX_BATCH),
    PASSERELLE_LOG_MAX_DELAY_MS: wholeNumber(0, 1_000).default(DEFAULT_MAX_DELAY_MS),
    PASSERELLE_LOG_WRITE_TIMEOUT_MS: wholeNumber(1, 60_000).default(5_000),
    // Persons reading their access history (personAccess/): the identity provider trusted.
    PASSERELLE_OIDC_ISSUER: z.string().trim().min(1).optional(),
    PASSERELLE_OIDC_JWKS_URL: publicUrl.optional(),
    PASSERELLE_OIDC_AUDIENCE: z.string().trim().min(1).default('passerelle-access-history'),
    // Traces (telemetry/): exported only when a collector is named.
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint.optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint.optional(),
  })
  .superRefine((env, context) => {
    requireBoth(
      env,
      context,
      ['PASSERELLE_TLS_CERT_FILE', 'PASSERELLE_TLS_KEY_FILE'],
      'HTTPS needs the certificate and its key',
    );
    requireBoth(
      env,
      context,
      ['PASSERELLE_OIDC_ISSUER', 'PASSERELLE_OIDC_JWKS_URL'],
      'an identity provider is its issuer and where it publishes its keys',
    );
    requireBoth(
      env,
      context,
      ['PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE', 'PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE'],
      'the client certificate for mutual TLS needs its key',
    );
    const subgraphTls =
      env.PASSERELLE_SUBGRAPH_TLS_CA_FILE !== undefined ||
      env.PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE !== undefined;
    // Only the node-fetch client is given the CA and the client certificate.
    if (subgraphTls && env.PASSERELLE_SUBGRAPH_FETCHER !== 'node-fetch') {
      context.addIssue({
        code: 'custom',
        path: ['PASSERELLE_SUBGRAPH_FETCHER'],
        message: 'must be node-fetch when TLS to the subgraphs is configured',
      });
    }
    // A stopped clock in production would keep expired purposes and grants alive.
    if (env.PASSERELLE_AS_OF !== undefined && env.PASSERELLE_MODE === 'production') {
      context.addIssue({
        code: 'custom',
        path: ['PASSERELLE_AS_OF'],
        message: 'fixes "today" for the sandbox only; unset it in production',
      });
    }
  })
  .transform((env) =>
    Object.freeze({
      mode: env.PASSERELLE_MODE,
      host: env.PASSERELLE_HOST,
      port: env.PASSERELLE_PORT,
      dataDir: env.PASSERELLE_DATA_DIR,
      /** The policy files (purposes/, reusers/): loaded at start, reloaded when they change. */
      policiesDir: env.PASSERELLE_POLICIES_DIR,
      /** Fixed "today" of the sandbox (Europe/Paris); the system clock when absent. */
      asOf: env.PASSERELLE_AS_OF,
      subgraphs: env.PASSERELLE_SUBGRAPHS,
      /** Upper bound for one subgraph call, response body included. */
      subgraphTimeoutMs: env.PASSERELLE_SUBGRAPH_TIMEOUT_MS,
      subgraphFetcher: env.PASSERELLE_SUBGRAPH_FETCHER,
      /** How long startup waits for every subgraph to serve its SDL. */
      startupTimeoutMs: env.PASSERELLE_STARTUP_TIMEOUT_MS,
      logLevel: env.PASSERELLE_LOG_LEVEL,
      /** PostgreSQL for the key registry, the access log and the daily subjects; absent: SQLite in the data folder. */
      databaseUrl: env.PASSERELLE_DATABASE_URL,
      /** The PostgreSQL schema holding the tables. */
      databaseSchema: env.PASSERELLE_DATABASE_SCHEMA,
      /** The key pair the context of every subgraph call is signed with. */
      contextKey: contextKeyLocation(
        env.PASSERELLE_DATA_DIR,
        env.PASSERELLE_CONTEXT_PRIVATE_KEY_FILE,
        env.PASSERELLE_GATEWAY_PUBLIC_KEY_FILE,
      ),
      /** HTTPS for re-users when set; plain HTTP otherwise. */
      tls:
        env.PASSERELLE_TLS_CERT_FILE !== undefined && env.PASSERELLE_TLS_KEY_FILE !== undefined
          ? Object.freeze({
              certFile: env.PASSERELLE_TLS_CERT_FILE,
              keyFile: env.PASSERELLE_TLS_KEY_FILE,
            })
          : undefined,
      /** TLS settings for subgraph calls, when the subgraphs serve HTTPS. */
      subgraphTls: subgraphTlsOf(env),
      /** Origins that get CORS headers; empty: none, browsers cannot call from other sites. */
      corsOrigins: env.PASSERELLE_CORS_ORIGINS ?? Object.freeze([]),
      /**
       * The URL re-users reach the gateway at: the audience (`aud`) their
       * assertions must name. Absent: the URL the gateway listens on.
       */
      publicUrl: env.PASSERELLE_PUBLIC_URL,
      /** Redis for lockouts (and rate limits) shared by every replica; absent: in memory. */
      redisUrl: env.PASSERELLE_REDIS_URL,
      /**
       * What every Redis key of this deployment starts with (lockouts, rate
       * limits): gateways sharing counters use the same; separate
       * deployments or test runs on one Redis use different ones.
       */
      redisKeyPrefix: env.PASSERELLE_REDIS_KEY_PREFIX,
      /** Failed authentications of one (re-user, address) pair before it is locked out. */
      authLockout: Object.freeze({
        maxFailures: env.PASSERELLE_AUTH_MAX_FAILURES,
        windowSeconds: env.PASSERELLE_AUTH_FAILURE_WINDOW_SECONDS,
        lockoutSeconds: env.PASSERELLE_AUTH_LOCKOUT_SECONDS,
      }),
      /** Limits on every GraphQL document, and its estimated cost (documentGuards/). */
      guards: Object.freeze({
        maxDepth: env.PASSERELLE_MAX_DEPTH,
        maxAliases: env.PASSERELLE_MAX_ALIASES,
        maxRootFields: env.PASSERELLE_MAX_ROOT_FIELDS,
        maxDirectives: env.PASSERELLE_MAX_DIRECTIVES,
        maxTokens: env.PASSERELLE_MAX_TOKENS,
        maxDocumentBytes: env.PASSERELLE_MAX_DOCUMENT_BYTES,
        maxCost: env.PASSERELLE_MAX_COST,
        defaultListSize: env.PASSERELLE_DEFAULT_LIST_SIZE,
      }),
      /**
       * The access log: in the same store as the key registry (`databaseUrl`),
       * its keys in the data folder, a signed checkpoint every
       * `checkpointEvery` records, and group commit of up to `maxBatch`
       * records, the first waiting at most `maxDelayMs` for company.
       */
      accessLog: Object.freeze({
        ...accessLogFiles(env.PASSERELLE_DATA_DIR),
        retention: env.PASSERELLE_LOG_RETENTION,
        checkpointEvery: env.PASSERELLE_LOG_CHECKPOINT_EVERY,
        maxBatch: env.PASSERELLE_LOG_MAX_BATCH,
        maxDelayMs: env.PASSERELLE_LOG_MAX_DELAY_MS,
        /** Longest wait for a record's commit before the client gets 503 and no data. */
        writeTimeoutMs: env.PASSERELLE_LOG_WRITE_TIMEOUT_MS,
      }),
      /**
       * The OpenID Connect provider persons sign in with to read their
       * access history (issuer and JWKS URL), and the audience its ID tokens
       * name. Without a provider, production serves no history; the sandbox
       * has its own built-in provider.
       */
      personIdentity: Object.freeze({
        provider:
          env.PASSERELLE_OIDC_ISSUER !== undefined && env.PASSERELLE_OIDC_JWKS_URL !== undefined
            ? Object.freeze({
                issuer: env.PASSERELLE_OIDC_ISSUER,
                jwksUrl: env.PASSERELLE_OIDC_JWKS_URL,
              })
            : undefined,
        audience: env.PASSERELLE_OIDC_AUDIENCE,
      }),
      /**
       * OTLP/HTTP URL spans are sent to (`.../v1/traces`); absent: spans
       * still give every request its trace id, and nothing is exported.
       */
      otlpTracesUrl: otlpTracesUrlOf(env),
    }),
  );

function subgraphTlsOf(env: {
  PASSERELLE_SUBGRAPH_TLS_CA_FILE?: string | undefined;
  PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE?: string | undefined;
  PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE?: string | undefined;
}): SubgraphTlsFiles | undefined {
  const certFile = env.PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE;
  const keyFile = env.PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE;
  const clientCertificate =
    certFile !== undefined && keyFile !== undefined
      ? Object.freeze({ certFile, keyFile })
      : undefined;
  if (env.PASSERELLE_SUBGRAPH_TLS_CA_FILE === undefined && clientCertificate === undefined) {
    return undefined;
  }
  return Object.freeze({ caFile: env.PASSERELLE_SUBGRAPH_TLS_CA_FILE, clientCertificate });
}

export type GatewayConfig = z.output<typeof gatewaySchema>;

/** Five subgraph ports follow the base port when it is not 0. */
const HOLDER_COUNT = 5;

const launcherSchema = z
  .object({
    PASSERELLE_MODE: mode.default('sandbox'),
    PASSERELLE_HOST: host.default('127.0.0.1'),
    PASSERELLE_PORT: port.default(4000),
    PASSERELLE_DATA_DIR: dataDir.default(() => resolve('./data')),
    PASSERELLE_SUBGRAPH_BASE_PORT: wholeNumber(0, 65535 - HOLDER_COUNT + 1).default(4001),
    // Bounds of the sandbox generator, which checks them again.
    PASSERELLE_SANDBOX_PERSONS: wholeNumber(0, 20_000_000).optional(),
    PASSERELLE_SANDBOX_SEED: wholeNumber(0, 2 ** 32 - 1).optional(),
    PASSERELLE_AS_OF: calendarDate.optional(),
    PASSERELLE_STARTUP_TIMEOUT_MS: milliseconds.default(30_000),
    PASSERELLE_LOG_LEVEL: logLevel.default('info'),
    PASSERELLE_CONTEXT_PRIVATE_KEY_FILE: filePath.optional(),
    PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: filePath.optional(),
  })
  .transform((env) =>
    Object.freeze({
      mode: env.PASSERELLE_MODE,
      host: env.PASSERELLE_HOST,
      port: env.PASSERELLE_PORT,
      dataDir: env.PASSERELLE_DATA_DIR,
      /** Ensured before the data holders start: they need its public half to start. */
      contextKey: contextKeyLocation(
        env.PASSERELLE_DATA_DIR,
        env.PASSERELLE_CONTEXT_PRIVATE_KEY_FILE,
        env.PASSERELLE_GATEWAY_PUBLIC_KEY_FILE,
      ),
      /** 0: every subgraph on an ephemeral port. */
      subgraphBasePort: env.PASSERELLE_SUBGRAPH_BASE_PORT,
      /** Generated people in the sandbox dataset; the generator's default when absent. */
      sandboxPersons: env.PASSERELLE_SANDBOX_PERSONS,
      /** Seed of the sandbox generator; its default when absent. */
      sandboxSeed: env.PASSERELLE_SANDBOX_SEED,
      /** Fixed "today" of the sandbox; the system clock when absent. */
      asOf: env.PASSERELLE_AS_OF,
      /** How long each child process may take to report ready. */
      startupTimeoutMs: env.PASSERELLE_STARTUP_TIMEOUT_MS,
      logLevel: env.PASSERELLE_LOG_LEVEL,
    }),
  );

export type LauncherConfig = z.output<typeof launcherSchema>;

/**
 * The administration commands (`passerelle reuser`, `key`, `log`, `sandbox
 * credentials`): they read the policies and write to the same stores as the
 * gateway, so they take the same variables.
 */
const adminSchema = z
  .object({
    PASSERELLE_MODE: mode.default('sandbox'),
    PASSERELLE_DATA_DIR: dataDir.default(() => resolve('./data')),
    PASSERELLE_POLICIES_DIR: dataDir.default(() => resolve(DEFAULT_POLICIES_DIR)),
    PASSERELLE_DATABASE_URL: databaseUrl.optional(),
    PASSERELLE_DATABASE_SCHEMA: databaseSchema.default('public'),
    PASSERELLE_AS_OF: calendarDate.optional(),
    PASSERELLE_LOG_RETENTION: logRetention.default(() => retentionFor(undefined)),
  })
  .transform((env) =>
    Object.freeze({
      mode: env.PASSERELLE_MODE,
      dataDir: env.PASSERELLE_DATA_DIR,
      policiesDir: env.PASSERELLE_POLICIES_DIR,
      databaseUrl: env.PASSERELLE_DATABASE_URL,
      databaseSchema: env.PASSERELLE_DATABASE_SCHEMA,
      /** The sandbox's "today"; the system clock when absent. */
      asOf: env.PASSERELLE_AS_OF,
      /** The access log's keys and retention (`passerelle log`). */
      accessLog: Object.freeze({
        ...accessLogFiles(env.PASSERELLE_DATA_DIR),
        retention: env.PASSERELLE_LOG_RETENTION,
      }),
    }),
  );

export type AdminConfig = z.output<typeof adminSchema>;

/** One problem with one variable. `variable` is the environment variable's name. */
export type ConfigIssue = Readonly<{ variable: string; problem: string }>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((issue) => `  - ${issue.variable}: ${issue.problem}`)
        .join('\n')}`,
    );
  }
}

function parseWith<Schema extends z.ZodType>(schema: Schema, env: Environment): z.output<Schema> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      problem: issue.message,
    })),
  );
}

/** Parses a gateway configuration from an environment-like record. Throws `ConfigError`. */
export function parseGatewayConfig(env: Environment): GatewayConfig {
  return parseWith(gatewaySchema, env);
}

/** The gateway process's configuration, from `process.env`. Throws `ConfigError`. */
export function loadGatewayConfig(): GatewayConfig {
  return parseGatewayConfig(process.env);
}

/**
 * Parses the launcher's configuration. Command-line flags are passed in as
 * the environment variables they override, so both are validated by one
 * schema. Throws `ConfigError`.
 */
export function parseLauncherConfig(env: Environment): LauncherConfig {
  return parseWith(launcherSchema, env);
}

/** The launcher's configuration from `process.env`, with flag values taking precedence. */
export function loadLauncherConfig(flagOverrides: Environment): LauncherConfig {
  const givenFlags = Object.entries(flagOverrides).filter(([, value]) => value !== undefined);
  return parseLauncherConfig({ ...process.env, ...Object.fromEntries(givenFlags) });
}

/** Parses the administration commands' configuration. Throws `ConfigError`. */
export function parseAdminConfig(env: Environment): AdminConfig {
  return parseWith(adminSchema, env);
}

/** The administration commands' configuration from `process.env`, flag values taking precedence. */
export function loadAdminConfig(flagOverrides: Environment): AdminConfig {
  const givenFlags = Object.entries(flagOverrides).filter(([, value]) => value !== undefined);
  return parseAdminConfig({ ...process.env, ...Object.fromEntries(givenFlags) });
}

/**
 * @apollo/gateway sends usage metrics to Apollo and probes cloud metadata
 * endpoints unless `APOLLO_TELEMETRY_DISABLED` is set when it is constructed
 * (STACK.md, pitfall 5). It reads the real `process.env`, so this checks the
 * real `process.env` too. A data-protection gateway must not talk to third
 * parties: it refuses to start rather than set the variable behind the
 * operator's back. The launcher, npm scripts and test config set it.
 */
export function assertApolloTelemetryDisabled(): void {
  const value = process.env.APOLLO_TELEMETRY_DISABLED;
  if (value === '1' || value === 'true') return;
  throw new ConfigError([
    {
      variable: 'APOLLO_TELEMETRY_DISABLED',
      problem:
        "must be '1': without it @apollo/gateway contacts Apollo's usage reporting and cloud metadata services",
    },
  ]);
}

/**
 * Environment for a child process the launcher forks: the launcher's own,
 * telemetry always off, then the given overrides.
 */
export function childProcessEnv(overrides: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ...overrides };
}
