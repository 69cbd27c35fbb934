/**
 * Throw-away certificates for the TLS tests, made at test time with the
 * `openssl` command in a temporary folder (never committed): a test CA, a
 * server certificate for 127.0.0.1 (gateway and data holders), a client
 * certificate for the gateway, and a client certificate from another CA,
 * which mutual TLS must refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestCertificates = {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** Signed by another CA: a client the data holders must not accept. */
  strangerCertFile: string;
  strangerKeyFile: string;
  /** The file's content, for Node's TLS options. */
  read(file: string): string;
  remove(): void;
};

/** Why the TLS tests cannot run here, or undefined when they can. */
export function tlsTestsUnavailable(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the openssl command is not installed: the TLS tests need it to make test certificates';
  }
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A P-256 key and a certificate signed by `ca` (or self-signed when `ca` is undefined). */
function certificate(
  dir: string,
  name: string,
  subject: string,
  ca: string | undefined,
  extensions: string,
): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  if (ca === undefined) {
    openssl(dir, [
      'req',
      '-x509',
      ...key,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      subject,
      '-days',
      '1',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]);
    return;
  }
  openssl(dir, ['req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  ]);
}

export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-tls-'));
  certificate(dir, 'ca', '/CN=passerelle test CA', undefined, '');
  certificate(dir, 'stranger-ca', '/CN=another CA', undefined, '');
  certificate(
    dir,
    'server',
    '/CN=127.0.0.1',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  certificate(dir, 'client', '/CN=passerelle-gateway', 'ca', 'extendedKeyUsage=clientAuth\n');
  certificate(
    dir,
    'stranger',
    '/CN=passerelle-gateway',
    'stranger-ca',
    'extendedKeyUsage=clientAuth\n',
  );
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    strangerCertFile: join(dir, 'stranger.pem'),
    strangerKeyFile: join(dir, 'stranger.key'),
    read: (file) => readFileSync(file, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type HttpsAnswer = { status: number; headers: Record<string, unknown>; body: unknown };

export type TlsClientOptions = { ca: string; cert?: string; key?: string };

/**
 * A request over HTTPS trusting `tls.ca`, with an optional client
 * certificate, answered with JSON (global fetch takes no CA or client
 * certificate). A JSON POST when `body` is given, a GET otherwise.
 */
export function requestOverTls(
  url: string,
  tls: TlsClientOptions,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const outgoing = request(
      url,
      {
        method: payload === undefined ? 'GET' : 'POST',
        ...tls,
        // A fresh connection each time: no session reuse between clients.
        agent: false,
        headers: {
          ...options.headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          try {
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: JSON.parse(text),
            });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
