import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DATA_HOLDERS } from '../../../subgraphs/kit/index.js';

// No container engine runs here, so the deployment file is checked for the
// mistakes that would stop it: a missing service, a wrong entry file, ports
// that do not line up, a gateway that starts before its subgraphs.
type Service = {
  image?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
};

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

/** dist/x/main.js is compiled from x/main.ts. */
function sourceOf(entry: string): string {
  return entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

describe('docker-compose.yml', () => {
  it('runs one service per data holder, from an entry file that exists', () => {
    for (const holder of DATA_HOLDERS) {
      const service = compose.services[holder];
      expect(service, `service ${holder}`).toBeDefined();
      const entry = service?.command?.[1] ?? '';
      expect(entry).toBe(`dist/subgraphs/${holder}/main.js`);
      expect(existsSync(sourceOf(entry)), sourceOf(entry)).toBe(true);
      expect(service?.healthcheck?.test.join(' ')).toContain('/health');
    }
  });

  it('points the gateway at every holder on the port that holder listens on', () => {
    const gateway = compose.services.gateway;
    expect(gateway?.command?.[1]).toBe('dist/gateway/main.js');
    expect(existsSync(sourceOf(gateway?.command?.[1] ?? ''))).toBe(true);
    const subgraphs = new Map(
      (gateway?.environment?.PASSERELLE_SUBGRAPHS ?? '').split(',').map((entry) => {
        const [name, url] = entry.split('=');
        return [name, url] as const;
      }),
    );
    expect([...subgraphs.keys()].sort()).toEqual([...DATA_HOLDERS].sort());
    for (const holder of DATA_HOLDERS) {
      const port = compose.services[holder]?.environment?.PASSERELLE_SUBGRAPH_PORT;
      expect(subgraphs.get(holder)).toBe(`http://${holder}:${port}/graphql`);
      expect(gateway?.depends_on?.[holder]?.condition).toBe('service_healthy');
    }
  });

  it('gives the gateway PostgreSQL and Redis, started and healthy before it', () => {
    const gateway = compose.services.gateway;
    const database = new URL(gateway?.environment?.PASSERELLE_DATABASE_URL ?? '');
    expect(database.protocol).toBe('postgres:');
    expect(compose.services[database.hostname]?.image).toMatch(/^postgres:/);
    expect(database.username).toBe(compose.services.postgres?.environment?.POSTGRES_USER);
    expect(database.pathname).toBe(`/${compose.services.postgres?.environment?.POSTGRES_DB}`);
    const redis = new URL(gateway?.environment?.PASSERELLE_REDIS_URL ?? '');
    expect(compose.services[redis.hostname]?.image).toMatch(/^redis:/);
    for (const store of ['postgres', 'redis']) {
      expect(gateway?.depends_on?.[store]?.condition).toBe('service_healthy');
      expect(compose.services[store]?.healthcheck?.test.length).toBeGreaterThan(1);
    }
  });

  it('generates the sandbox data before any holder starts', () => {
    expect(existsSync(sourceOf(compose.services['sandbox-data']?.command?.[1] ?? ''))).toBe(true);
    for (const holder of DATA_HOLDERS) {
      expect(compose.services[holder]?.depends_on?.['sandbox-data']?.condition).toBe(
        'service_completed_successfully',
      );
    }
  });

  it("makes the gateway's context key pair before any holder starts, which needs its public half", () => {
    const job = compose.services['gateway-context-key'];
    expect(job?.command).toEqual(['node', 'dist/gateway/cli/main.js', 'context-key']);
    expect(existsSync(sourceOf(job?.command?.[1] ?? ''))).toBe(true);
    for (const holder of DATA_HOLDERS) {
      expect(compose.services[holder]?.depends_on?.['gateway-context-key']?.condition).toBe(
        'service_completed_successfully',
      );
    }
  });

  const nodeServices = Object.entries(compose.services).filter(([, service]) =>
    service.image?.startsWith('node:'),
  );

  it('keeps Apollo telemetry off in every Node service', () => {
    expect(nodeServices.map(([name]) => name)).toEqual(
      expect.arrayContaining(['gateway', ...DATA_HOLDERS]),
    );
    for (const [name, service] of nodeServices) {
      expect(service.environment?.APOLLO_TELEMETRY_DISABLED, name).toBe('1');
    }
  });

  it("sends every process's spans to the collector, and the collector's to Jaeger", () => {
    const collector = compose.services['otel-collector'];
    const mount = collector?.volumes?.find((volume) => volume.endsWith(':ro')) ?? '';
    const [configFile = '', mountedAt = ''] = mount.split(':');
    expect(collector?.command).toEqual([`--config=${mountedAt}`]);
    const config = parse(readFileSync(configFile, 'utf8')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    const httpPort = config.receivers.otlp.protocols.http.endpoint.split(':')[1];
    for (const [name, service] of nodeServices) {
      expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe(
        `http://otel-collector:${httpPort}`,
      );
    }
    const { traces } = config.service.pipelines;
    expect(traces.receivers).toEqual(['otlp']);
    const jaegerExporter = config.exporters[traces.exporters[0] ?? ''];
    expect(jaegerExporter?.endpoint).toBe('jaeger:4317');
    expect(compose.services.jaeger?.command?.join(' ')).toContain(
      'receivers.otlp.protocols.grpc.endpoint=0.0.0.0:4317',
    );
  });
});
