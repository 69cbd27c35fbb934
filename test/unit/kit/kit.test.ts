import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES_DIR } from '../../../policies/engine/index.js';
import {
  HolderConfigError,
  HolderStoreUnavailableError,
  openHolderStore,
  readHolderConfig,
  requireDate,
  requireMonth,
} from '../../../subgraphs/kit/index.js';

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as { extensions?: { code?: unknown; argument?: unknown } }).extensions;
  }
  return undefined;
}

describe('argument checks', () => {
  it.each(['1986-04-12', '2024-02-29'])('accepts the date %s', (date) => {
    expect(requireDate('birthDate', date)).toBe(date);
  });

  it.each(['1986-4-12', '2026-02-30', '2025-02-29', '12/04/1986', '', '1986-04-12T00:00:00Z'])(
    'refuses %j with BAD_USER_INPUT naming the argument',
    (date) => {
      expect(codeOf(() => requireDate('birthDate', date))).toEqual({
        code: 'BAD_USER_INPUT',
        argument: 'birthDate',
      });
    },
  );

  it('checks months', () => {
    expect(requireMonth('month', '2026-11')).toBe('2026-11');
    expect(codeOf(() => requireMonth('month', '2026-13'))).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'month',
    });
  });
});

describe('holder store', () => {
  it('refuses to open a store that does not exist, naming its path', () => {
    expect(() => openHolderStore('/nonexistent/holders/tax.sqlite')).toThrow(
      HolderStoreUnavailableError,
    );
    expect(() => openHolderStore('/nonexistent/holders/tax.sqlite')).toThrow(
      '/nonexistent/holders/tax.sqlite',
    );
  });
});

describe('holder configuration', () => {
  it('defaults to loopback, an ephemeral port, the shipped policies and the sandbox', () => {
    expect(readHolderConfig({})).toEqual({
      dataDir: './data',
      host: '127.0.0.1',
      port: 0,
      asOf: undefined,
      policiesDir: DEFAULT_POLICIES_DIR,
      mode: 'sandbox',
      gatewayPublicKeyFile: resolve('data/keys/gateway-context.public.jwk'),
      tls: undefined,
      otlpTracesUrl: undefined,
      logRetentionDays: 365,
    });
  });

  it('keeps its own access log between six months and ten years', () => {
    expect(readHolderConfig({ PASSERELLE_HOLDER_LOG_RETENTION_DAYS: '200' }).logRetentionDays).toBe(
      200,
    );
    expect(() => readHolderConfig({ PASSERELLE_HOLDER_LOG_RETENTION_DAYS: '30' })).toThrow(
      /PASSERELLE_HOLDER_LOG_RETENTION_DAYS: must be at least 183 days \(six months\)/,
    );
  });

  it('exports spans only to a named OTLP/HTTP collector', () => {
    const tracesUrlOf = (env: NodeJS.ProcessEnv) => readHolderConfig(env).otlpTracesUrl;
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesUrlOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      }),
    ).toBe('http://traces:4318/custom');
    expect(() => tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it("finds the gateway's public key in the data folder, or where it is told", () => {
    expect(readHolderConfig({ PASSERELLE_DATA_DIR: '/srv/passerelle' })).toMatchObject({
      gatewayPublicKeyFile: '/srv/passerelle/keys/gateway-context.public.jwk',
    });
    expect(
      readHolderConfig({ PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: '/etc/passerelle/gateway.jwk' }),
    ).toMatchObject({ gatewayPublicKeyFile: '/etc/passerelle/gateway.jwk' });
  });

  it('serves HTTPS with mutual TLS only when given all three files', () => {
    expect(
      readHolderConfig({
        PASSERELLE_HOLDER_TLS_CERT_FILE: 'holder.pem',
        PASSERELLE_HOLDER_TLS_KEY_FILE: 'holder.key',
        PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE: 'ca.pem',
      }).tls,
    ).toEqual({ certFile: 'holder.pem', keyFile: 'holder.key', clientCaFile: 'ca.pem' });
    expect(() => readHolderConfig({ PASSERELLE_HOLDER_TLS_CERT_FILE: 'holder.pem' })).toThrow(
      /PASSERELLE_HOLDER_TLS_KEY_FILE, PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE: required with PASSERELLE_HOLDER_TLS_CERT_FILE/,
    );
  });

  it('reads the policy folder and the mode', () => {
    expect(
      readHolderConfig({
        PASSERELLE_POLICIES_DIR: '/etc/passerelle',
        PASSERELLE_MODE: 'production',
      }),
    ).toMatchObject({ policiesDir: '/etc/passerelle', mode: 'production' });
  });

  it('lists every invalid variable at once', () => {
    try {
      readHolderConfig({
        PASSERELLE_SUBGRAPH_PORT: '70000',
        PASSERELLE_AS_OF: 'tomorrow',
        PASSERELLE_MODE: 'staging',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HolderConfigError);
      expect((error as Error).message).toContain('PASSERELLE_SUBGRAPH_PORT');
      expect((error as Error).message).toContain('PASSERELLE_AS_OF');
      expect((error as Error).message).toContain('PASSERELLE_MODE');
    }
  });
});
