import { freePort, waitFor } from '@ytm/testing';
import { afterEach, describe, expect, it } from '@jest/globals';
import { connectivityState, status, type ServiceError, type Server } from '@grpc/grpc-js';
import {
  HealthClient,
  LibraryClient,
  LibraryService,
  ServingStatus,
  callerOf,
  closeServer,
  createClient,
  createGrpcServer,
  fromGrpcError,
  listen,
  toGrpcError,
  unaryCall,
  type CallGuard,
  type CallerCredentials,
  type HealthCheckResponse,
  type LibraryServer,
} from '../../src/index.js';

// The real guard and credentials are @ytm/trust's; these exercise the plumbing: a caller named by
// the `x-test-caller` header, health open to anyone, GetTrackFile only for 'stream'.
const testGuard: CallGuard = {
  admit: ({ method, metadata }) => {
    if (method.startsWith('/grpc.health.v1.Health/')) return { caller: undefined };
    const caller = metadata.get('authorization')[0];
    if (typeof caller !== 'string') return { refuse: { code: status.UNAUTHENTICATED, details: 'who are you?' } };
    if (method.endsWith('/GetTrackFile') && caller !== 'stream') return { refuse: { code: status.PERMISSION_DENIED, details: `${caller} may not` } };
    return { caller };
  },
};
const as = (caller: string | undefined): CallerCredentials => ({ authorizationFor: () => caller });

const servers: Server[] = [];
const clients: Array<{ close(): void }> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => closeServer(server, 100)));
});

class NotFound extends Error {
  readonly code = 'NOT_FOUND';
}

async function startLibrary(impl: Partial<Pick<LibraryServer, 'getTrackFile' | 'batchGetTracks'>>, atPort = 0) {
  const { server, health, setServing } = createGrpcServer({ guard: testGuard });
  const noop: LibraryServer = {
    getTrackFile: (_call, cb) => cb(toGrpcError(new NotFound('unknown track'))),
    batchGetTracks: (_call, cb) => cb(null, { tracks: [], missingIds: [] }),
  };
  server.addService(LibraryService, {
    getTrackFile: impl.getTrackFile ?? noop.getTrackFile,
    batchGetTracks: impl.batchGetTracks ?? noop.batchGetTracks,
  } satisfies LibraryServer);
  servers.push(server);
  const port = await listen(server, '127.0.0.1', atPort);
  const address = `127.0.0.1:${port}`;
  const library = createClient(LibraryClient, address, as('stream'));
  const healthClient = createClient(HealthClient, address, as(undefined));
  clients.push(library, healthClient);
  const clientAs = (caller: string | undefined) => {
    const client = createClient(LibraryClient, address, as(caller));
    clients.push(client);
    return client;
  };
  return { server, health, setServing, port, library, healthClient, clientAs };
}

describe('grpc server helpers over localhost', () => {
  it('listens on an ephemeral port and serves unary calls with a deadline', async () => {
    const { port, library } = await startLibrary({
      getTrackFile: (call, cb) =>
        cb(null, {
          trackId: call.request.trackId,
          path: '/m/a.flac',
          size: 2 ** 40,
          mtimeMs: 1_700_000_000_000,
          mimeType: 'audio/flac',
          durationSeconds: 12.5,
        }),
    });
    expect(port).toBeGreaterThan(0);
    const file = await unaryCall(library.getTrackFile.bind(library), { trackId: 't1' }, { deadlineMs: 2000 });
    expect(file).toEqual({
      trackId: 't1',
      path: '/m/a.flac',
      size: 2 ** 40,
      mtimeMs: 1_700_000_000_000,
      mimeType: 'audio/flac',
      durationSeconds: 12.5,
      etag: undefined,
    });
  });

  it('carries domain errors to the client', async () => {
    const { library } = await startLibrary({});
    const err = await unaryCall(library.getTrackFile.bind(library), { trackId: 'nope' }, { deadlineMs: 2000 }).catch((e: unknown) => e);
    expect((err as ServiceError).code).toBe(status.NOT_FOUND);
    expect(fromGrpcError(err)).toMatchObject({ code: 'NOT_FOUND', message: 'unknown track' });
  });

  it('fails with DEADLINE_EXCEEDED when the server is slow', async () => {
    const { library } = await startLibrary({ batchGetTracks: (_call, cb) => setTimeout(() => cb(null, { tracks: [], missingIds: [] }), 500) });
    const err = await unaryCall(library.batchGetTracks.bind(library), { ids: [] }, { deadlineMs: 50 }).catch((e: unknown) => e);
    expect((err as ServiceError).code).toBe(status.DEADLINE_EXCEEDED);
  });

  it('cancels a call through an AbortSignal', async () => {
    const { library } = await startLibrary({ batchGetTracks: (_call, cb) => setTimeout(() => cb(null, { tracks: [], missingIds: [] }), 500) });
    const controller = new AbortController();
    const pending = unaryCall(library.batchGetTracks.bind(library), { ids: [] }, { deadlineMs: 2000, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: status.CANCELLED });
  });

  it('puts every call through the guard: refused calls never reach the handler, admitted ones know their caller', async () => {
    const seen: Array<string | undefined> = [];
    const { library, clientAs } = await startLibrary({
      getTrackFile: (call, cb) => {
        seen.push(callerOf(call));
        cb(null, { trackId: 't', path: '/p', size: 1, mtimeMs: 1, mimeType: 'audio/flac', durationSeconds: 1 });
      },
    });
    const get = (client: typeof library) => unaryCall(client.getTrackFile.bind(client), { trackId: 't' }, { deadlineMs: 2000 });
    await expect(get(clientAs(undefined))).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: 'who are you?' });
    await expect(get(clientAs('resource'))).rejects.toMatchObject({ code: status.PERMISSION_DENIED, details: 'resource may not' });
    expect(seen).toEqual([]);
    await get(library);
    expect(seen).toEqual(['stream']);
  });

  it('answers the standard health check for exactly the services it serves', async () => {
    const { health, healthClient, setServing } = await startLibrary({});
    const check = (service: string) => unaryCall(healthClient.check.bind(healthClient), { service }, { deadlineMs: 2000 });
    expect(await check('')).toEqual({ status: ServingStatus.SERVING });
    expect(await check('ytm.library.v1.Library')).toEqual({ status: ServingStatus.NOT_SERVING });
    await expect(check('ytm.resource.v1.Resource')).rejects.toMatchObject({ code: status.NOT_FOUND });
    expect(() => health.set('ytm.resource.v1.Resource', 'SERVING')).toThrow('not served by this server');
    setServing();
    expect(await check('ytm.library.v1.Library')).toEqual({ status: ServingStatus.SERVING });
    await expect(check('ytm.resource.v1.Resource')).rejects.toMatchObject({ code: status.NOT_FOUND });
    health.set('ytm.library.v1.Library', 'NOT_SERVING');
    expect(await check('ytm.library.v1.Library')).toEqual({ status: ServingStatus.NOT_SERVING });
    health.set('ytm.library.v1.Library', 'SERVING');
    expect(await check('ytm.library.v1.Library')).toEqual({ status: ServingStatus.SERVING });
  });

  it('streams status changes to watchers and ends them on close', async () => {
    const { server, health, healthClient } = await startLibrary({});
    const seen: ServingStatus[] = [];
    const stream = healthClient.watch({ service: 'ytm.library.v1.Library' });
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('error', () => resolve());
    });
    stream.on('data', (msg: HealthCheckResponse) => {
      seen.push(msg.status);
      if (seen.length === 1) health.set('ytm.library.v1.Library', 'SERVING');
    });
    await waitFor(() => seen.length === 2, 5_000, 10, 'both calls seen');
    const started = Date.now();
    servers.splice(servers.indexOf(server), 1);
    await closeServer(server, 5000);
    await ended;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen).toEqual([ServingStatus.NOT_SERVING, ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });

  it('closeServer forces shutdown after the grace period', async () => {
    let reached = false;
    // The handler never answers: the call stays in flight until the server is closed.
    const { server, library } = await startLibrary({
      batchGetTracks: () => {
        reached = true;
      },
    });
    const pending = unaryCall(library.batchGetTracks.bind(library), { ids: [] }, { deadlineMs: 10_000 }).catch((e: unknown) => e);
    await waitFor(() => reached, 5_000, 10, 'the call in flight on the server');
    servers.splice(servers.indexOf(server), 1);
    const started = Date.now();
    await closeServer(server, 200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(((await pending) as ServiceError).code).not.toBe(status.OK);
  });
});

const FILE = { trackId: 't1', path: '/m/a.flac', size: 1, mtimeMs: 1, mimeType: 'audio/flac', durationSeconds: 1 };

describe('createClient and unaryCall against a peer that is late or away', () => {
  it('connects as soon as the client is created, before any call', async () => {
    const { library } = await startLibrary({});
    await waitFor(() => library.getChannel().getConnectivityState(false) === connectivityState.READY, 5_000, 20, 'the channel READY');
  });

  it('a call made while the peer is not listening waits for it until the deadline instead of failing at once', async () => {
    const port = await freePort();
    const library = createClient(LibraryClient, `127.0.0.1:${port}`, as('stream'));
    clients.push(library);
    // The eager connection attempt was refused: the channel is in TRANSIENT_FAILURE, where a call
    // that does not wait for ready fails with UNAVAILABLE at once.
    await waitFor(() => library.getChannel().getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE, 5_000, 10, 'TRANSIENT_FAILURE');
    const started = Date.now();
    const call = unaryCall(library.getTrackFile.bind(library), { trackId: 't1' }, { deadlineMs: 8_000 });
    const settled = call.then(
      () => 'answered',
      (err: unknown) => err,
    );
    await startLibrary({ getTrackFile: (c, cb) => cb(null, { ...FILE, trackId: c.request.trackId }) }, port);
    expect(await settled).toBe('answered');
    expect(await call).toMatchObject({ trackId: 't1' });
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('a peer that stays away fails the call at its deadline, not before', async () => {
    const library = createClient(LibraryClient, `127.0.0.1:${await freePort()}`, as('stream'));
    clients.push(library);
    const started = Date.now();
    const err = await unaryCall(library.getTrackFile.bind(library), { trackId: 't1' }, { deadlineMs: 600 }).catch((e: unknown) => e);
    expect((err as ServiceError).code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
  });
});
