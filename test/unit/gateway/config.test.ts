import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accessLogStoreFor } from '../../../gateway/accessLog/index.js';
import {
  assertApolloTelemetryDisabled,
  ConfigError,
  childProcessEnv,
  loadAdminConfig,
  loadLauncherConfig,
  parseAdminConfig,
  parseGatewayConfig,
  parseLauncherConfig,
} from '../../../gateway/config/index.js';
import { keyStoreFor } from '../../../gateway/keyRegistry/index.js';
import { DEFAULT_POLICIES_DIR } from '../../../policies/engine/index.js';

const SUBGRAPHS = 'civil-status=http://127.0.0.1:4001/graphql,tax=http://127.0.0.1:4003/graphql';

function issuesOf(parse: () => unknown): { variable: string; problem: string }[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('gateway configuration', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS });
    expect(config).toMatchObject({
      mode: 'sandbox',
      host: '127.0.0.1',
      port: 4000,
      subgraphTimeoutMs: 10_000,
      subgraphFetcher: 'node-fetch',
      logLevel: 'info',
      subgraphs: [
        { name: 'civil-status', url: 'http://127.0.0.1:4001/graphql' },
        { name: 'tax', url: 'http://127.0.0.1:4003/graphql' },
      ],
    });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.subgraphs)).toBe(true);
    expect(Object.isFrozen(config.subgraphs[0])).toBe(true);
  });

  it('accepts port 0 and treats empty variables as unset', () => {
    const config = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_PORT: '0',
      PASSERELLE_MODE: '',
    });
    expect(config.port).toBe(0);
    expect(config.mode).toBe('sandbox');
  });

  it('lists every problem in one error', () => {
    const issues = issuesOf(() =>
      parseGatewayConfig({
        PASSERELLE_PORT: '70000',
        PASSERELLE_MODE: 'prod',
        PASSERELLE_SUBGRAPHS:
          'tax=ftp://127.0.0.1/graphql,education,tax=http://127.0.0.1:1/graphql,Bad Name=http://x',
        PASSERELLE_SUBGRAPH_TIMEOUT_MS: 'soon',
        PASSERELLE_SUBGRAPH_FETCHER: 'curl',
        PASSERELLE_LOG_LEVEL: 'loud',
      }),
    );
    expect(issues).toEqual([
      { variable: 'PASSERELLE_MODE', problem: "must be 'sandbox' or 'production'" },
      { variable: 'PASSERELLE_PORT', problem: 'must be a whole number from 0 to 65535' },
      {
        variable: 'PASSERELLE_SUBGRAPHS',
        problem: 'subgraph "tax" needs an http:// or https:// URL',
      },
      {
        variable: 'PASSERELLE_SUBGRAPHS',
        problem: '"education" must be name=url with a lower-case name (letters, digits, -)',
      },
      {
        variable: 'PASSERELLE_SUBGRAPHS',
        problem: '"Bad Name=http://x" must be name=url with a lower-case name (letters, digits, -)',
      },
      {
        variable: 'PASSERELLE_SUBGRAPH_TIMEOUT_MS',
        problem: 'must be a whole number from 1 to 3600000',
      },
      {
        variable: 'PASSERELLE_SUBGRAPH_FETCHER',
        problem: 'must be one of node-fetch, default, undici',
      },
      {
        variable: 'PASSERELLE_LOG_LEVEL',
        problem: 'must be one of fatal, error, warn, info, debug, trace, silent',
      },
    ]);
  });

  it('names each variable in the error message', () => {
    expect(() => parseGatewayConfig({ PASSERELLE_PORT: 'x' })).toThrow(
      /Invalid configuration \(2 problems\):\n {2}- PASSERELLE_PORT: .*\n {2}- PASSERELLE_SUBGRAPHS: is required/,
    );
  });

  it('refuses a subgraph listed twice, and an empty list', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({ PASSERELLE_SUBGRAPHS: 'tax=http://a/graphql, tax=http://b/graphql' }),
      ),
    ).toEqual([{ variable: 'PASSERELLE_SUBGRAPHS', problem: 'subgraph "tax" is listed twice' }]);
    expect(issuesOf(() => parseGatewayConfig({ PASSERELLE_SUBGRAPHS: ' , ' }))).toEqual([
      {
        variable: 'PASSERELLE_SUBGRAPHS',
        problem: 'must list at least one subgraph as name=url, comma separated',
      },
    ]);
  });
});

describe('gateway policies and calendar', () => {
  it("reads the repository's policies and the system clock by default", () => {
    const config = parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS });
    expect(config.policiesDir).toBe(resolve(DEFAULT_POLICIES_DIR));
    expect(config.asOf).toBeUndefined();
  });

  it('takes a policies folder, relative to the working directory, and a sandbox date', () => {
    const config = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_POLICIES_DIR: 'fixtures/policies',
      PASSERELLE_AS_OF: '2026-11-15',
    });
    expect(config.policiesDir).toBe(resolve('fixtures/policies'));
    expect(config.asOf).toBe('2026-11-15');
  });

  it('refuses a fixed date in production, where it would keep expired purposes alive', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          PASSERELLE_MODE: 'production',
          PASSERELLE_AS_OF: '2026-11-15',
        }),
      ),
    ).toEqual([
      {
        variable: 'PASSERELLE_AS_OF',
        problem: 'fixes "today" for the sandbox only; unset it in production',
      },
    ]);
  });
});

describe('key registry database', () => {
  it('uses SQLite in the data folder unless a PostgreSQL URL is given', () => {
    const sqlite = parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS });
    expect(sqlite.databaseUrl).toBeUndefined();
    expect(keyStoreFor(sqlite)).toEqual({ kind: 'sqlite', dataDir: sqlite.dataDir });

    const url = 'postgres://passerelle:secret@db.internal:5432/passerelle';
    const postgres = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_DATABASE_URL: url,
    });
    expect(postgres.databaseUrl).toBe(url);
    expect(keyStoreFor(postgres)).toEqual({ kind: 'postgres', url, schema: 'public' });
    const ownSchema = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_DATABASE_URL: url,
      PASSERELLE_DATABASE_SCHEMA: 'passerelle_registry',
    });
    expect(keyStoreFor(ownSchema)).toEqual({
      kind: 'postgres',
      url,
      schema: 'passerelle_registry',
    });
    expect(
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_DATABASE_URL: 'postgresql://postgres@127.0.0.1/test',
      }).databaseUrl,
    ).toBe('postgresql://postgres@127.0.0.1/test');
  });

  it.each([
    ['not a URL', 'must be a URL such as postgres://user@host:5432/database'],
    ['mysql://root@db/passerelle', 'must start with postgres:// (only PostgreSQL is supported)'],
    [
      'postgres://127.0.0.1:5432/test',
      'must name the user, e.g. postgres://passerelle@host:5432/database',
    ],
    [
      'postgres://postgres@127.0.0.1:5432',
      'must name the database, e.g. postgres://user@host:5432/passerelle',
    ],
  ])('refuses %s, saying what to write', (value, problem) => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS, PASSERELLE_DATABASE_URL: value }),
      ),
    ).toEqual([{ variable: 'PASSERELLE_DATABASE_URL', problem }]);
  });

  it('takes only a plain identifier as schema, since it goes into SQL', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          PASSERELLE_DATABASE_SCHEMA: 'public; drop table x',
        }),
      ),
    ).toEqual([
      {
        variable: 'PASSERELLE_DATABASE_SCHEMA',
        problem: 'must be a plain lower-case identifier (letters, digits, _), e.g. passerelle',
      },
    ]);
  });

  it('never repeats the URL, which may hold a password', () => {
    expect(() =>
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_DATABASE_URL: 'mysql://root:hunter2@db/passerelle',
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});

describe('gateway keys and transport security', () => {
  it('generates its context key in the data folder unless the operator gives one', () => {
    expect(
      parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS, PASSERELLE_DATA_DIR: '/srv/p' })
        .contextKey,
    ).toEqual({
      source: 'generated',
      privateKeyFile: '/srv/p/keys/gateway-context.private.jwk',
      publicKeyFile: '/srv/p/keys/gateway-context.public.jwk',
    });
    expect(
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_CONTEXT_PRIVATE_KEY_FILE: '/etc/p/context.jwk',
        PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: 'published.jwk',
      }).contextKey,
    ).toMatchObject({
      source: 'operator',
      privateKeyFile: '/etc/p/context.jwk',
      publicKeyFile: resolve('published.jwk'),
    });
  });

  it('serves plain HTTP, calls subgraphs without TLS and sends no CORS header by default', () => {
    expect(parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS })).toMatchObject({
      tls: undefined,
      subgraphTls: undefined,
      corsOrigins: [],
    });
  });

  it('reads the certificate files and the allowed origins', () => {
    expect(
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_TLS_CERT_FILE: '/tls/gateway.pem',
        PASSERELLE_TLS_KEY_FILE: '/tls/gateway.key',
        PASSERELLE_SUBGRAPH_TLS_CA_FILE: '/tls/ca.pem',
        PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE: '/tls/client.pem',
        PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE: '/tls/client.key',
        PASSERELLE_CORS_ORIGINS: 'https://a.example, https://b.example:8443/',
      }),
    ).toMatchObject({
      tls: { certFile: '/tls/gateway.pem', keyFile: '/tls/gateway.key' },
      subgraphTls: {
        caFile: '/tls/ca.pem',
        clientCertificate: { certFile: '/tls/client.pem', keyFile: '/tls/client.key' },
      },
      corsOrigins: ['https://a.example', 'https://b.example:8443'],
    });
  });

  it('wants each certificate with its key, and node-fetch for TLS to subgraphs', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          PASSERELLE_TLS_CERT_FILE: '/tls/gateway.pem',
          PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE: '/tls/client.key',
          PASSERELLE_SUBGRAPH_TLS_CA_FILE: '/tls/ca.pem',
          PASSERELLE_SUBGRAPH_FETCHER: 'undici',
        }),
      ),
    ).toEqual([
      {
        variable: 'PASSERELLE_TLS_KEY_FILE',
        problem:
          'is required with PASSERELLE_TLS_CERT_FILE: HTTPS needs the certificate and its key',
      },
      {
        variable: 'PASSERELLE_SUBGRAPH_CLIENT_CERT_FILE',
        problem:
          'is required with PASSERELLE_SUBGRAPH_CLIENT_KEY_FILE: the client certificate for mutual TLS needs its key',
      },
      {
        variable: 'PASSERELLE_SUBGRAPH_FETCHER',
        problem: 'must be node-fetch when TLS to the subgraphs is configured',
      },
    ]);
  });
});

describe('authentication settings', () => {
  it('takes the audience from the listen URL, lockouts in memory, 10 failures per 10 minutes', () => {
    expect(parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS })).toMatchObject({
      publicUrl: undefined,
      redisUrl: undefined,
      authLockout: { maxFailures: 10, windowSeconds: 600, lockoutSeconds: 900 },
    });
  });

  it('reads the public URL, Redis and the lockout settings', () => {
    expect(
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_PUBLIC_URL: 'https://api.example.fr/graphql',
        PASSERELLE_REDIS_URL: 'redis://127.0.0.1:6379',
        PASSERELLE_AUTH_MAX_FAILURES: '5',
        PASSERELLE_AUTH_FAILURE_WINDOW_SECONDS: '60',
        PASSERELLE_AUTH_LOCKOUT_SECONDS: '120',
      }),
    ).toMatchObject({
      publicUrl: 'https://api.example.fr/graphql',
      redisUrl: 'redis://127.0.0.1:6379',
      authLockout: { maxFailures: 5, windowSeconds: 60, lockoutSeconds: 120 },
    });
  });

  it('refuses a public URL re-users could not copy into aud, and a Redis URL that is not one', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          PASSERELLE_PUBLIC_URL: 'https://api.example.fr/graphql?x=1',
          PASSERELLE_REDIS_URL: 'http://127.0.0.1:6379',
          PASSERELLE_AUTH_MAX_FAILURES: '0',
        }),
      ).map((issue) => issue.variable),
    ).toEqual(['PASSERELLE_PUBLIC_URL', 'PASSERELLE_REDIS_URL', 'PASSERELLE_AUTH_MAX_FAILURES']);
  });
});

describe('access log', () => {
  it('keeps records a year, its keys in the data folder, and commits in groups', () => {
    const config = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_DATA_DIR: '/srv/p',
    });
    expect(config.accessLog).toEqual({
      subjectReferenceKeyFile: '/srv/p/keys/subject-reference.key',
      checkpointKey: {
        privateKeyFile: '/srv/p/keys/access-log-checkpoint.private.jwk',
        publicKeyFile: '/srv/p/keys/access-log-checkpoint.public.jwk',
      },
      retention: expect.objectContaining({ text: '12 months', unit: 'months', amount: 12 }),
      checkpointEvery: 1_000,
      maxBatch: 100,
      maxDelayMs: 2,
      writeTimeoutMs: 5_000,
    });
    expect(Object.isFrozen(config.accessLog)).toBe(true);
    expect(Object.isFrozen(config.accessLog.checkpointKey)).toBe(true);
    // The log is where the key registry is.
    expect(accessLogStoreFor(config)).toEqual({ kind: 'sqlite', dataDir: '/srv/p' });
    const url = 'postgres://passerelle@db.internal:5432/passerelle';
    expect(
      accessLogStoreFor(
        parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS, PASSERELLE_DATABASE_URL: url }),
      ),
    ).toEqual({ kind: 'postgres', url, schema: 'public' });
  });

  it('reads the retention and the group commit settings', () => {
    const config = parseGatewayConfig({
      PASSERELLE_SUBGRAPHS: SUBGRAPHS,
      PASSERELLE_LOG_RETENTION: '9m',
      PASSERELLE_LOG_CHECKPOINT_EVERY: '50',
      PASSERELLE_LOG_MAX_BATCH: '500',
      PASSERELLE_LOG_MAX_DELAY_MS: '0',
    });
    expect(config.accessLog).toMatchObject({
      retention: expect.objectContaining({ text: '9 months' }),
      checkpointEvery: 50,
      maxBatch: 500,
      maxDelayMs: 0,
    });
    expect(parseAdminConfig({ PASSERELLE_LOG_RETENTION: '400d' }).accessLog.retention.text).toBe(
      '400 days',
    );
  });

  it('refuses a retention under six months, or one it cannot read, saying what to write', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          PASSERELLE_LOG_RETENTION: '3m',
          PASSERELLE_LOG_MAX_BATCH: '0',
        }),
      ),
    ).toEqual([
      {
        variable: 'PASSERELLE_LOG_RETENTION',
        problem: expect.stringContaining('shorter than 6 months'),
      },
      { variable: 'PASSERELLE_LOG_MAX_BATCH', problem: 'must be a whole number from 1 to 10000' },
    ]);
    expect(issuesOf(() => parseAdminConfig({ PASSERELLE_LOG_RETENTION: 'forever' }))).toEqual([
      {
        variable: 'PASSERELLE_LOG_RETENTION',
        problem: expect.stringContaining('e.g. 1y, 9m (months), 400d'),
      },
    ]);
  });
});

describe('trace export', () => {
  const tracesUrlOf = (env: Record<string, string>) =>
    parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS, ...env }).otlpTracesUrl;

  it('exports only to a named OTLP/HTTP collector, the traces endpoint first', () => {
    expect(tracesUrlOf({})).toBeUndefined();
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/' })).toBe(
      'http://otel-collector:4318/v1/traces',
    );
    expect(
      tracesUrlOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.fr/v1/traces',
      }),
    ).toBe('https://traces.example.fr/v1/traces');
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4317',
        }),
      ).map((issue) => issue.variable),
    ).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
  });
});

describe('person identity provider', () => {
  it('trusts no provider by default, and reads the issuer with its keys', () => {
    expect(parseGatewayConfig({ PASSERELLE_SUBGRAPHS: SUBGRAPHS }).personIdentity).toEqual({
      provider: undefined,
      audience: 'passerelle-access-history',
    });
    expect(
      parseGatewayConfig({
        PASSERELLE_SUBGRAPHS: SUBGRAPHS,
        PASSERELLE_OIDC_ISSUER: 'https://idp.example.fr',
        PASSERELLE_OIDC_JWKS_URL: 'https://idp.example.fr/jwks',
        PASSERELLE_OIDC_AUDIENCE: 'passerelle-history',
      }).personIdentity,
    ).toEqual({
      provider: { issuer: 'https://idp.example.fr', jwksUrl: 'https://idp.example.fr/jwks' },
      audience: 'passerelle-history',
    });
  });

  it('wants the issuer and its keys together', () => {
    expect(
      issuesOf(() =>
        parseGatewayConfig({
          PASSERELLE_SUBGRAPHS: SUBGRAPHS,
          PASSERELLE_OIDC_ISSUER: 'https://idp.example.fr',
        }),
      ),
    ).toEqual([
      {
        variable: 'PASSERELLE_OIDC_JWKS_URL',
        problem:
          'is required with PASSERELLE_OIDC_ISSUER: an identity provider is its issuer and where it publishes its keys',
      },
    ]);
  });
});

describe('administration commands configuration', () => {
  it('defaults to the sandbox, ./data and the repository policies', () => {
    const config = parseAdminConfig({});
    expect(config).toEqual({
      mode: 'sandbox',
      dataDir: resolve('data'),
      policiesDir: resolve(DEFAULT_POLICIES_DIR),
      databaseUrl: undefined,
      databaseSchema: 'public',
      asOf: undefined,
      accessLog: {
        subjectReferenceKeyFile: resolve('data/keys/subject-reference.key'),
        checkpointKey: {
          privateKeyFile: resolve('data/keys/access-log-checkpoint.private.jwk'),
          publicKeyFile: resolve('data/keys/access-log-checkpoint.public.jwk'),
        },
        retention: expect.objectContaining({ text: '12 months' }),
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets flags override the environment and checks the database URL', () => {
    vi.stubEnv('PASSERELLE_DATA_DIR', '/srv/passerelle');
    vi.stubEnv('PASSERELLE_MODE', 'production');
    const config = loadAdminConfig({
      PASSERELLE_DATA_DIR: 'elsewhere',
      PASSERELLE_MODE: undefined,
    });
    expect(config.dataDir).toBe(resolve('elsewhere'));
    expect(config.mode).toBe('production');
    expect(
      issuesOf(() => parseAdminConfig({ PASSERELLE_DATABASE_URL: 'postgres://h/db' })),
    ).toEqual([
      {
        variable: 'PASSERELLE_DATABASE_URL',
        problem: 'must name the user, e.g. postgres://passerelle@host:5432/database',
      },
    ]);
  });
});

describe('launcher configuration', () => {
  it('lets flags override the environment', () => {
    vi.stubEnv('PASSERELLE_PORT', '5000');
    vi.stubEnv('PASSERELLE_SUBGRAPH_BASE_PORT', '6001');
    const config = loadLauncherConfig({ PASSERELLE_PORT: '7000', PASSERELLE_AS_OF: undefined });
    expect(config.port).toBe(7000);
    expect(config.subgraphBasePort).toBe(6001);
    expect(config.asOf).toBeUndefined();
  });

  it('checks dates and leaves room for five subgraph ports', () => {
    expect(
      issuesOf(() =>
        parseLauncherConfig({
          PASSERELLE_AS_OF: '2026-02-30',
          PASSERELLE_SUBGRAPH_BASE_PORT: '65533',
        }),
      ),
    ).toEqual([
      {
        variable: 'PASSERELLE_SUBGRAPH_BASE_PORT',
        problem: 'must be a whole number from 0 to 65531',
      },
      { variable: 'PASSERELLE_AS_OF', problem: 'must be a real calendar date' },
    ]);
    expect(issuesOf(() => parseLauncherConfig({ PASSERELLE_AS_OF: '2026-13-01' }))).toEqual([
      { variable: 'PASSERELLE_AS_OF', problem: 'must be a real calendar date' },
    ]);
    expect(parseLauncherConfig({ PASSERELLE_AS_OF: '2028-02-29' }).asOf).toBe('2028-02-29');
  });
});

describe('Apollo telemetry switch', () => {
  it('refuses to go on unless APOLLO_TELEMETRY_DISABLED is set', () => {
    vi.stubEnv('APOLLO_TELEMETRY_DISABLED', '');
    expect(() => assertApolloTelemetryDisabled()).toThrow(ConfigError);
    vi.stubEnv('APOLLO_TELEMETRY_DISABLED', 'true');
    expect(() => assertApolloTelemetryDisabled()).not.toThrow();
  });

  it('is always set for child processes', () => {
    vi.stubEnv('APOLLO_TELEMETRY_DISABLED', '0');
    expect(childProcessEnv({ PASSERELLE_PORT: '0' })).toMatchObject({
      APOLLO_TELEMETRY_DISABLED: '1',
      PASSERELLE_PORT: '0',
    });
  });
});
