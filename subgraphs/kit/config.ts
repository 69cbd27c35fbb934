import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_POLICIES_DIR } from '../../policies/engine/index.js';
import { HOLDER_LOG_RETENTION_DAYS, MIN_HOLDER_LOG_RETENTION_DAYS } from './holderAccessLog.js';
import type { HolderMode } from './purposeBinding.js';

/**
 * A data holder process's configuration: the only place in the kit that
 * reads `process.env`. Parsed once, validated, frozen.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD');

/** An OTLP/HTTP collector URL (standard OpenTelemetry variables); empty: unset. */
const otlpEndpoint = z
  .literal('')
  .transform(() => undefined)
  .or(
    z
      .string()
      .trim()
      .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
        message: 'expected the http:// or https:// URL of an OTLP/HTTP collector',
      }),
  );

const holderConfigSchema = z.object({
  PASSERELLE_DATA_DIR: z.string().min(1).default('./data'),
  PASSERELLE_HOST: z.string().min(1).default('127.0.0.1'),
  PASSERELLE_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  PASSERELLE_AS_OF: isoDate.optional(),
  PASSERELLE_POLICIES_DIR: z.string().min(1).default(DEFAULT_POLICIES_DIR),
  PASSERELLE_MODE: z.enum(['sandbox', 'production']).default('sandbox'),
  PASSERELLE_GATEWAY_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  PASSERELLE_HOLDER_TLS_CERT_FILE: z.string().min(1).optional(),
  PASSERELLE_HOLDER_TLS_KEY_FILE: z.string().min(1).optional(),
  PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint.optional(),
  // DOMAIN.md T3: six months to a year.
  PASSERELLE_HOLDER_LOG_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(MIN_HOLDER_LOG_RETENTION_DAYS, {
      message: `must be at least ${MIN_HOLDER_LOG_RETENTION_DAYS} days (six months)`,
    })
    .max(3_650)
    .default(HOLDER_LOG_RETENTION_DAYS),
});

const TLS_VARIABLES = [
  'PASSERELLE_HOLDER_TLS_CERT_FILE',
  'PASSERELLE_HOLDER_TLS_KEY_FILE',
  'PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE',
] as const;

/**
 * Where the gateway publishes its public context key in a data folder (its
 * private half lies beside it, and stays with the gateway).
 */
export function defaultGatewayPublicKeyFile(dataDir: string): string {
  return join(resolve(dataDir), 'keys', 'gateway-context.public.jwk');
}

/** PEM files for HTTPS with mutual authentication (the holder's certificate, the gateway's CA). */
export type HolderTlsFiles = Readonly<{ certFile: string; keyFile: string; clientCaFile: string }>;

export type HolderConfig = Readonly<{
  logRetentionDays: number;
  dataDir: string;
  host: string;
  port: number;
  /** Fixed "today" for the holder's calendar (sandbox and tests); the system clock when absent. */
  asOf: string | undefined;
  /** The policy folder, watched for changes. */
  policiesDir: string;
  /** The system's stage; a purpose is active only in its own. */
  mode: HolderMode;
  /**
   * The gateway's public key (a JWK, or a JWK Set during a rotation), with
   * which every request's `Passerelle-Context` is checked. Default:
   * `<dataDir>/keys/gateway-context.public.jwk`, where the gateway writes it.
   */
  gatewayPublicKeyFile: string;
  /** HTTPS with mutual TLS when set; plain HTTP (loopback only) otherwise. */
  tls: HolderTlsFiles | undefined;
  /**
   * OTLP/HTTP URL spans are sent to (`.../v1/traces`): the traces endpoint
   * as is, else the base endpoint plus `/v1/traces`; absent: none are.
   */
  otlpTracesUrl: string | undefined;
}>;

export class HolderConfigError extends Error {
  override readonly name = 'HolderConfigError';
}

export function readHolderConfig(env: NodeJS.ProcessEnv = process.env): HolderConfig {
  const parsed = holderConfigSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `- ${issue.path.join('.')}: ${issue.message}`);
  const givenTls = TLS_VARIABLES.filter((variable) => (env[variable] ?? '') !== '');
  if (givenTls.length > 0 && givenTls.length < TLS_VARIABLES.length) {
    problems.push(
      `- ${TLS_VARIABLES.filter((variable) => !givenTls.includes(variable)).join(', ')}: required with ${givenTls.join(', ')} (HTTPS needs the certificate, its key and the CA of the gateway's client certificate)`,
    );
  }
  if (!parsed.success || problems.length > 0) {
    throw new HolderConfigError(`invalid data holder configuration:\n${problems.join('\n')}`);
  }
  const data = parsed.data;
  return Object.freeze({
    dataDir: data.PASSERELLE_DATA_DIR,
    host: data.PASSERELLE_HOST,
    port: data.PASSERELLE_SUBGRAPH_PORT,
    asOf: data.PASSERELLE_AS_OF,
    policiesDir: data.PASSERELLE_POLICIES_DIR,
    mode: data.PASSERELLE_MODE,
    gatewayPublicKeyFile:
      data.PASSERELLE_GATEWAY_PUBLIC_KEY_FILE ??
      defaultGatewayPublicKeyFile(data.PASSERELLE_DATA_DIR),
    tls:
      data.PASSERELLE_HOLDER_TLS_CERT_FILE !== undefined &&
      data.PASSERELLE_HOLDER_TLS_KEY_FILE !== undefined &&
      data.PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE !== undefined
        ? Object.freeze({
            certFile: data.PASSERELLE_HOLDER_TLS_CERT_FILE,
            keyFile: data.PASSERELLE_HOLDER_TLS_KEY_FILE,
            clientCaFile: data.PASSERELLE_HOLDER_TLS_CLIENT_CA_FILE,
          })
        : undefined,
    /** How long the holder keeps its own access log; older records are purged daily. */
    logRetentionDays: data.PASSERELLE_HOLDER_LOG_RETENTION_DAYS,
    otlpTracesUrl:
      data.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (data.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
        ? undefined
        : `${data.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`),
  });
}
