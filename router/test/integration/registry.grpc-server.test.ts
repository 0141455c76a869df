import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { Metadata, RegistryClient, createClient, status, unaryCall, type RegisterRequest } from '@ytm/proto';
import { startRegistration, type Registration as ClientRegistration } from '@ytm/registry';
import { freePort, testIdentity, waitFor } from '@ytm/testing';
import { registrationAddressCheck } from '../../src/registry/registration-address.js';
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

// A stand-in subgraph over real HTTP: the router registers only URLs that answer as a subgraph.
let subgraph: HttpServer;
let SUBGRAPH: string;
beforeAll(async () => {
  subgraph = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"_service":{"__typename":"_Service"}}}'));
  });
  await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
  SUBGRAPH = `http://127.0.0.1:${(subgraph.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => subgraph.close(resolve)));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startRouter(port = 0, host = '127.0.0.1'): Promise<{ registry: RegistryService; server: RunningRegistryServer; log: LogEntry[] }> {
  const registry = new RegistryService({ heartbeatIntervalMs: HEARTBEAT_MS });
  const { entries, logger } = memoryLogger();
  const ownPorts: number[] = [];
  const addresses = registrationAddressCheck({ ownPorts: () => ownPorts, probeTimeoutMs: 1_000 });
  const server = await startRegistryServer({ host, port, registry, logger, guard: testIdentity('router').guard(logger), addresses });
  ownPorts.push(server.port);
  cleanups.push(() => server.close());
  return { registry, server, log: entries };
}

function startClient(port: number, instanceId = 'lib-1', startupGraceMs?: number) {
  const { entries, logger } = memoryLogger();
  const registration = startRegistration({
    registryUrl: `127.0.0.1:${port}`,
    name: 'library',
    credentials: testIdentity('library'),
    instanceId,
    graphqlUrl: `${SUBGRAPH}/graphql`,
    httpUrl: SUBGRAPH,
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

describe('registry over real gRPC', () => {
  it('registers, heartbeats, survives a router restart on the same port and deregisters on stop', async () => {
    const first = await startRouter();
    const port = first.server.port;
    const { registration, entries } = startClient(port);

    await waitFor(() => first.registry.active().length === 1, 10_000, 20, 'registration');
    const [registered] = first.registry.active();
    expect(registered).toMatchObject({ name: 'library', instanceId: 'lib-1', version: '1.2.3', httpUrl: SUBGRAPH });
    const seenAt = registered?.lastSeenAt ?? 0;
    await waitFor(() => (first.registry.active()[0]?.lastSeenAt ?? 0) >= seenAt + 2 * HEARTBEAT_MS, 10_000, 20, 'heartbeats');

    // Kill the router, leave it down for a while, then start a fresh one (empty registry) on the same port.
    await first.server.close();
    await waitFor(() => entries.some((e) => e.level === 'warn'), 10_000, 20, 'the client to notice the outage');
    const second = await startRouter(port);
    expect(second.server.port).toBe(port);
    await waitFor(() => second.registry.active().length === 1, 15_000, 20, 're-registration');
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
    await waitFor(() => registry.active().length === 1, 10_000, 20, 'registration');
    const oldLease = registry.active()[0]?.leaseId ?? '';
    registry.deregister(oldLease);
    await waitFor(() => registry.active().length === 1, 10_000, 20, 're-registration');
    expect(registry.active()[0]?.leaseId).not.toBe(oldLease);
    expect(entries.some((e) => e.msg?.includes('no longer knows this lease'))).toBe(true);
  });

  it('waits quietly for a router that is not up yet (services start in any order), then registers', async () => {
    const port = await freePort();
    const { entries } = startClient(port);
    const failed = () => entries.filter((e) => e.msg === 'registration failed');
    await waitFor(() => failed().length >= 3, 15_000, 20, 'three failed attempts');
    expect(failed().every((e) => e.level === 'debug')).toBe(true);
    expect(entries.filter((e) => e.level === 'warn' || e.level === 'error')).toHaveLength(0);
    const { registry } = await startRouter(port);
    await waitFor(() => registry.active().length === 1, 15_000, 20, 'late registration');
  });

  it('warns once per period about a router still unreachable after the start-up grace', async () => {
    const port = await freePort();
    const { entries } = startClient(port, 'lib-1', 0);
    await waitFor(() => entries.filter((e) => e.msg?.includes('registration')).length >= 3, 15_000, 20, 'three failed attempts');
    expect(entries.filter((e) => e.level === 'warn')).toHaveLength(1);
  });

  it('stop() returns within the deregister deadline while the router is down', async () => {
    const port = await freePort();
    const { registration, entries } = startClient(port);
    await waitFor(() => entries.some((e) => e.msg === 'registration failed'), 10_000, 20, 'a failed attempt');
    const started = Date.now();
    await registration.stop();
    expect(Date.now() - started).toBeLessThan(1_100);
  });

  it('keeps two instances of the same subgraph apart', async () => {
    const { registry, server } = await startRouter();
    const clients: ClientRegistration[] = [startClient(server.port, 'lib-a').registration, startClient(server.port, 'lib-b').registration];
    await waitFor(() => registry.active().length === 2, 10_000, 20, 'both instances');
    await clients[0]?.stop();
    expect(registry.active().map((r) => r.instanceId)).toEqual(['lib-b']);
  });

  describe('input validation', () => {
    const valid = (): RegisterRequest => ({
      name: 'library',
      instanceId: 'lib-1',
      graphqlUrl: `${SUBGRAPH}/graphql`,
      sdl: 'type Query { x: Int }',
      version: '1',
      httpUrl: SUBGRAPH,
    });

    async function rawClient() {
      const { registry, server } = await startRouter();
      const client = createClient(RegistryClient, `127.0.0.1:${server.port}`, testIdentity('library'));
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
      const err = await unaryCall(client.register.bind(client), { ...valid(), ...patch }, { deadlineMs: 5_000 }).catch((e: unknown) => e);
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
      await unaryCall(client.register.bind(client), { ...valid(), sdl }, { deadlineMs: 5_000 });
      expect(registry.active()).toHaveLength(1);
    });
  });

  describe('service identity', () => {
    const claim = (name: string): RegisterRequest => ({
      name,
      instanceId: `${name}-rogue`,
      graphqlUrl: `${SUBGRAPH}/graphql`,
      sdl: 'type Query { x: Int }',
      version: '1',
      httpUrl: SUBGRAPH,
    });

    async function routerWith(caller: Parameters<typeof createClient>[2]) {
      const router = await startRouter();
      const client = createClient(RegistryClient, `127.0.0.1:${router.server.port}`, caller);
      cleanups.push(() => client.close());
      return { ...router, client };
    }

    it('refuses a registration without credentials (UNAUTHENTICATED), logs it and registers nothing', async () => {
      const { registry, client, log } = await routerWith({ authorizationFor: () => undefined });
      await expect(unaryCall(client.register.bind(client), claim('resource'), { deadlineMs: 2_000 })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(unaryCall(client.register.bind(client), claim('resource'), { deadlineMs: 2_000, metadata: bearer('not-a-token') })).rejects.toMatchObject({
        code: status.UNAUTHENTICATED,
      });
      expect(registry.active()).toEqual([]);
      const refused = log.filter((e) => e.msg === 'internal call refused');
      expect(refused).toHaveLength(2);
      expect(refused[0]?.obj).toMatchObject({ method: '/ytm.registry.v1.Registry/Register', grpcStatus: 'UNAUTHENTICATED' });
      expect(JSON.stringify(refused)).not.toContain('not-a-token');
    });

    it("refuses stream's valid credentials claiming to be resource (PERMISSION_DENIED) and registers nothing", async () => {
      const { registry, client, log } = await routerWith(testIdentity('stream'));
      await expect(unaryCall(client.register.bind(client), claim('resource'), { deadlineMs: 2_000 })).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
        details: 'stream may register only under its own name, not as resource',
      });
      expect(registry.active()).toEqual([]);
      expect(log.find((e) => e.msg === 'registry call refused')?.obj).toMatchObject({ caller: 'stream', name: 'resource', grpcStatus: 'PERMISSION_DENIED' });
      // Under its own name it may.
      await unaryCall(client.register.bind(client), claim('stream'), { deadlineMs: 2_000 });
      expect(registry.active().map((r) => r.name)).toEqual(['stream']);
    });

    it('refuses the router identity (it registers nothing) and a heartbeat or deregistration of another service’s lease', async () => {
      const { registry, server, client } = await routerWith(testIdentity('router'));
      await expect(unaryCall(client.register.bind(client), claim('router'), { deadlineMs: 2_000 })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      const as = (name: 'library' | 'stream') => {
        const c = createClient(RegistryClient, `127.0.0.1:${server.port}`, testIdentity(name));
        cleanups.push(() => c.close());
        return c;
      };
      const library = as('library');
      const stream = as('stream');
      const { leaseId } = await unaryCall(library.register.bind(library), claim('library'), { deadlineMs: 2_000 });
      await expect(unaryCall(stream.deregister.bind(stream), { leaseId }, { deadlineMs: 2_000 })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(unaryCall(stream.heartbeat.bind(stream), { leaseId }, { deadlineMs: 2_000 })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      expect(registry.active().map((r) => r.leaseId)).toEqual([leaseId]);
      await expect(unaryCall(library.heartbeat.bind(library), { leaseId }, { deadlineMs: 2_000 })).resolves.toEqual({ known: true });
    });
  });
});

describe('addresses the router can reach', () => {
  const request = (graphqlUrl: string, httpUrl = ''): RegisterRequest => ({
    name: 'library',
    instanceId: 'lib-x',
    graphqlUrl,
    httpUrl,
    sdl: 'type Query { x: Int }',
    version: '1',
  });
  async function registerAt(host: string, port: number, req: RegisterRequest) {
    const client = createClient(RegistryClient, `${host}:${port}`, testIdentity('library'));
    cleanups.push(() => client.close());
    return unaryCall(client.register.bind(client), req, { deadlineMs: 5_000 });
  }

  it('refuses URLs that point at the router itself, lead nowhere or are not a subgraph (FAILED_PRECONDITION), registering nothing', async () => {
    const { registry, server, log } = await startRouter();
    const self = `http://127.0.0.1:${server.port}`;
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const cases: Array<[RegisterRequest, string]> = [
      [request(`${self}/graphql`), 'points at the router itself'],
      [request(`http://localhost:${server.port}/graphql`), 'points at the router itself'],
      [request(`${SUBGRAPH}/graphql`, self), 'points at the router itself'],
      [request('http://0.0.0.0:4001/graphql'), 'is not an address to connect to'],
      [request(`${nowhere}/graphql`), 'is not reachable as a subgraph from the router (ECONNREFUSED)'],
      [request('http://no-such-host.invalid/graphql'), 'does not resolve from the router'],
    ];
    for (const [req, reason] of cases) {
      const err = await registerAt('127.0.0.1', server.port, req).catch((e: unknown) => e);
      expect([req.graphqlUrl, err]).toMatchObject([req.graphqlUrl, { code: status.FAILED_PRECONDITION }]);
      expect((err as { details: string }).details).toContain(reason);
    }
    expect(registry.active()).toEqual([]);
    expect(log.filter((e) => e.msg === 'registration refused: address')).toHaveLength(cases.length);
    await registerAt('127.0.0.1', server.port, request(`${SUBGRAPH}/graphql`, SUBGRAPH));
    expect(registry.active()).toHaveLength(1);
  });

  it('refuses a loopback URL registered from another machine, and accepts it from this one', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    if (!external) throw new Error('this test needs a non-loopback IPv4 address to call the router from');
    const { registry, server } = await startRouter(0, '0.0.0.0');
    // Called through the external address, the router sees a peer that is not loopback.
    const err = await registerAt(external, server.port, request(`${SUBGRAPH}/graphql`)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: status.FAILED_PRECONDITION });
    expect((err as { details: string }).details).toContain('is a loopback address, registered from another machine');
    expect(registry.active()).toEqual([]);
    await registerAt('127.0.0.1', server.port, request(`${SUBGRAPH}/graphql`));
    expect(registry.active()).toHaveLength(1);
  });
});

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
