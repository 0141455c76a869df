import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { infraEnv, uniqueName } from '@ytm/testing';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';

type System = Awaited<ReturnType<typeof startSystem>>;
type Handle = { name: string; url: string; opsUrl: string; opsPort: number };

/** The kernel's view of who listens on `port` (IPv4 and IPv6): local addresses in hex, as /proc/net/tcp{,6} print them. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
      .map((cols) => cols[1]!.split(':')[0]!),
  );
}

/** Issue 14, item 4: nothing internal answers on a public port; operators get an ops listener of their own. */
describe('ops surface: /metrics, detailed /health and /ready only on the ops listener', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2eops');
  let system: System;
  let services: Handle[];

  beforeAll(async () => {
    system = await startSystem({ mongodbUrl, kafkaBrokers: kafkaBrokers.join(','), ephemeral: true, dbPrefix, production: true, env: { LOG_LEVEL: 'warn' } });
    services = Object.values(system.services) as Handle[];
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it("the router's public /health is a bare status: no registrations, URLs or instance ids", async () => {
    const res = await fetch(`${system.routerUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":"ok"}');
  });

  it('/metrics and /ready are 404 on every public port', async () => {
    for (const s of services) {
      for (const path of ['/metrics', '/ready']) {
        const res = await fetch(`${s.url}${path}`);
        expect({ service: s.name, path, status: res.status }).toEqual({ service: s.name, path, status: 404 });
        expect(await res.text()).not.toContain('ytm_');
      }
      expect(await (await fetch(`${s.url}/health`)).text()).toBe('{"status":"ok"}');
    }
  });

  it('the in-process events subgraph answers on no public path', async () => {
    const sdl = await fetch(`${system.routerUrl}/__events/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    expect(sdl.status).toBe(404);
    expect(await sdl.text()).not.toContain('Subscription');
    expect((await fetch(`${system.routerUrl}/__events/graphql?query=%7B__typename%7D`)).status).toBe(404);
    // …and the public GraphQL endpoint does not expose the subgraph's federation fields either.
    const viaRouter = await fetch(system.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    const body = (await viaRouter.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("every service's ops listener serves /ready, /metrics and the detailed /health", async () => {
    for (const s of services) {
      const ready = await fetch(`${s.opsUrl}/ready`);
      expect({ service: s.name, status: ready.status }).toEqual({ service: s.name, status: 200 });
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const metrics = await (await fetch(`${s.opsUrl}/metrics`)).text();
      expect(metrics).toContain('process_resident_memory_bytes');
      expect(metrics).toContain('ytm_http_request_duration_seconds');
      const health = (await (await fetch(`${s.opsUrl}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok' });
      expect(typeof health.uptimeSeconds).toBe('number');
    }
    const router = (await (await fetch(`${system.routerOpsUrl}/health`)).json()) as { registrations: Array<{ name: string; instanceId: string }> };
    expect(router.registrations.map((r) => r.name).sort()).toEqual(['library', 'resource', 'stream', 'subsonic']);
    expect(router.registrations.every((r) => r.instanceId.startsWith(`${r.name}-`))).toBe(true);
  });

  it('ops listeners bind the loopback address only, by default', () => {
    for (const s of services) {
      const addresses = listeningAddresses(s.opsPort);
      expect({ service: s.name, addresses }).toEqual({ service: s.name, addresses: ['0100007F'] });
    }
  });
});
