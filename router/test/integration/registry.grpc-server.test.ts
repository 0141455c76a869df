import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { RegistryClient, createClient, status, unaryCall, type RegisterRequest } from '@ytm/proto';
import { startRegistration, type Registration as ClientRegistration } from '@ytm/registry';
import { RegistryService } from '../../src/registry/registry.service.js';
import { MAX_SDL_BYTES, startRegistryServer, type RunningRegistryServer } from '../../src/registry/registry.grpc-server.js';

interface LogEntry {
  level: 'info' | 'warn' | 'error' | 'debug';
  msg: string | undefined;
  obj: object;
}

function memoryLogger() {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => entries.push({ level, msg, obj });
  return { entries, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

const HEARTBEAT_MS = 150;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startRouter(port = 0): Promise<{ registry: RegistryService; server: RunningRegistryServer }> {
  const registry = new RegistryService({ heartbeatIntervalMs: HEARTBEAT_MS });
  const server = await startRegistryServer({ host: '127.0.0.1', port, registry, logger: memoryLogger().logger });
  cleanups.push(() => server.close());
  return { registry, server };
}

function startClient(port: number, instanceId = 'lib-1', startupGraceMs?: number) {
  const { entries, logger } = memoryLogger();
  const registration = startRegistration({
    registryUrl: `127.0.0.1:${port}`,
    name: 'library',
    instanceId,
    graphqlUrl: 'http://127.0.0.1:4001/graphql',
    httpUrl: 'http://127.0.0.1:4001',
    sdl: 'type Query { tracks: [String] }',
    version: '1.2.3',
    logger,
    backoff: { initialMs: 50, maxMs: 300 },
    callTimeoutMs: 500,
    ...(startupGraceMs === undefined ? {} : { startupGraceMs }),
  });
  cleanups.push(() => registration.stop());
  return { registration, entries };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('registry over real gRPC', () => {
  it('registers, heartbeats, survives a router restart on the same port and deregisters on stop', async () => {
    const first = await startRouter();
    const port = first.server.port;
    const { registration, entries } = startClient(port);

    await waitFor('registration', () => first.registry.active().length === 1);
    const [registered] = first.registry.active();
    expect(registered).toMatchObject({ name: 'library', instanceId: 'lib-1', version: '1.2.3', httpUrl: 'http://127.0.0.1:4001' });
    const seenAt = registered?.lastSeenAt ?? 0;
    await waitFor('heartbeats', () => (first.registry.active()[0]?.lastSeenAt ?? 0) >= seenAt + 2 * HEARTBEAT_MS);

    // Kill the router, leave it down for a while, then start a fresh one (empty registry) on the same port.
    await first.server.close();
    await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT_MS));
    const second = await startRouter(port);
    expect(second.server.port).toBe(port);
    await waitFor('re-registration', () => second.registry.active().length === 1, 15_000);
    expect(second.registry.active()[0]?.instanceId).toBe('lib-1');
    // One warning for the outage, not one per retry.
    expect(entries.filter((e) => e.level === 'warn')).toHaveLength(1);

    const started = Date.now();
    await registration.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(second.registry.active()).toEqual([]);
    expect(entries.at(-1)?.msg).toBe('deregistered from the router');
  });

  it('re-registers when a heartbeat answers known=false', async () => {
    const { registry, server } = await startRouter();
    const { entries } = startClient(server.port);
    await waitFor('registration', () => registry.active().length === 1);
    const oldLease = registry.active()[0]?.leaseId ?? '';
    registry.deregister(oldLease);
    await waitFor('re-registration', () => registry.active().length === 1);
    expect(registry.active()[0]?.leaseId).not.toBe(oldLease);
    expect(entries.some((e) => e.msg?.includes('no longer knows this lease'))).toBe(true);
  });

  it('waits quietly for a router that is not up yet (services start in any order), then registers', async () => {
    const port = await freePort();
    const { entries } = startClient(port);
    const failed = () => entries.filter((e) => e.msg === 'registration failed');
    await waitFor('three failed attempts', () => failed().length >= 3, 15_000);
    expect(failed().every((e) => e.level === 'debug')).toBe(true);
    expect(entries.filter((e) => e.level === 'warn' || e.level === 'error')).toHaveLength(0);
    const { registry } = await startRouter(port);
    await waitFor('late registration', () => registry.active().length === 1, 15_000);
  });

  it('warns once per period about a router still unreachable after the start-up grace', async () => {
    const port = await freePort();
    const { entries } = startClient(port, 'lib-1', 0);
    await waitFor('three failed attempts', () => entries.filter((e) => e.msg?.includes('registration')).length >= 3, 15_000);
    expect(entries.filter((e) => e.level === 'warn')).toHaveLength(1);
  });

  it('stop() returns within the deregister deadline while the router is down', async () => {
    const port = await freePort();
    const { registration } = startClient(port);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await registration.stop();
    expect(Date.now() - started).toBeLessThan(1_100);
  });

  it('keeps two instances of the same subgraph apart', async () => {
    const { registry, server } = await startRouter();
    const clients: ClientRegistration[] = [startClient(server.port, 'lib-a').registration, startClient(server.port, 'lib-b').registration];
    await waitFor('both instances', () => registry.active().length === 2);
    await clients[0]?.stop();
    expect(registry.active().map((r) => r.instanceId)).toEqual(['lib-b']);
  });

  describe('input validation', () => {
    const valid: RegisterRequest = {
      name: 'library',
      instanceId: 'lib-1',
      graphqlUrl: 'http://127.0.0.1:4001/graphql',
      sdl: 'type Query { x: Int }',
      version: '1',
      httpUrl: 'http://127.0.0.1:4001',
    };

    async function rawClient() {
      const { registry, server } = await startRouter();
      const client = createClient(RegistryClient, `127.0.0.1:${server.port}`);
      cleanups.push(() => client.close());
      return { registry, client };
    }

    it.each<[string, Partial<RegisterRequest>, string]>([
      ['empty name', { name: '' }, 'name is required'],
      ['odd name', { name: 'Library Service' }, 'name must match'],
      ['empty instance id', { instanceId: '' }, 'instance_id is required'],
      ['empty graphql url', { graphqlUrl: '' }, 'graphql_url is required'],
      ['non-http graphql url', { graphqlUrl: 'ftp://x/graphql' }, 'graphql_url must be'],
      ['relative http url', { httpUrl: '/stream' }, 'http_url must be'],
      ['empty sdl', { sdl: '   ' }, 'sdl is required'],
      ['oversized sdl', { sdl: `type Query { x: Int }\n${'#'.repeat(MAX_SDL_BYTES)}` }, 'sdl must be at most'],
    ])('rejects %s with INVALID_ARGUMENT', async (_label, patch, message) => {
      const { registry, client } = await rawClient();
      const err = await unaryCall(client.register.bind(client), { ...valid, ...patch }, { deadlineMs: 5_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: status.INVALID_ARGUMENT });
      expect((err as { details: string }).details).toContain(message);
      expect(registry.active()).toEqual([]);
    });

    it('rejects an empty lease id and answers known=false for an unknown one', async () => {
      const { client } = await rawClient();
      await expect(unaryCall(client.heartbeat.bind(client), { leaseId: '' }, { deadlineMs: 2_000 })).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
      });
      await expect(unaryCall(client.heartbeat.bind(client), { leaseId: 'nope' }, { deadlineMs: 2_000 })).resolves.toEqual({ known: false });
      await expect(unaryCall(client.deregister.bind(client), { leaseId: '' }, { deadlineMs: 2_000 })).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
      });
    });

    it('accepts an SDL of exactly 1 MB', async () => {
      const { registry, client } = await rawClient();
      const sdl = `type Query { x: Int }\n${'#'.repeat(MAX_SDL_BYTES - 22)}`;
      expect(Buffer.byteLength(sdl)).toBe(MAX_SDL_BYTES);
      await unaryCall(client.register.bind(client), { ...valid, sdl }, { deadlineMs: 5_000 });
      expect(registry.active()).toHaveLength(1);
    });
  });
});
