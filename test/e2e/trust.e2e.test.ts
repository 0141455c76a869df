import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  createClient,
  HealthClient,
  LibraryClient,
  RegistryClient,
  ServingStatus,
  status,
  StreamClient,
  unaryCall,
  type CallerCredentials,
  type Client,
  type RegisterRequest,
} from '@ytm/proto';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { ServiceIdentity, type ServiceIdentityName } from '@ytm/trust';
import { wav } from './corpus.js';
import { dropSystemDatabases } from './databases.js';
import { codes, gql, SIGN_UP } from './graphql-client.js';
import { startSystem } from '../../scripts/system.mjs';

type System = Awaited<ReturnType<typeof startSystem>>;

// Every process spawned, bcrypt at cost 12 on a shared machine.
jest.setTimeout(120_000);

const NOBODY: CallerCredentials = { authorizationFor: () => undefined };

/** Issue 14: every internal gRPC call is authenticated and authorised by the caller's service identity. */
describe('trust between services: rogue callers on the running system', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2etrust');
  const music = mkdtempSync(join(tmpdir(), 'ytm-music-'));
  let system: System;
  let url: string;
  let trackId: string;
  // A rogue "resource" that would capture whatever the router sends it (the attack of issue 14).
  const captured: string[] = [];
  let rogue: Server;
  let rogueUrl: string;
  const clients: Array<{ close(): void }> = [];

  const as = (name: ServiceIdentityName): CallerCredentials => ServiceIdentity.load({ dir: system.trustDir, name });
  const client = <C extends Client>(Client: Parameters<typeof createClient<C>>[0], service: string, caller: CallerCredentials): C => {
    const c = createClient(Client, `127.0.0.1:${system.services[service]!.grpcPort}`, caller);
    clients.push(c);
    return c;
  };
  const signUp = async () => {
    const r = await gql(url, SIGN_UP, { input: { email: `t-${randomUUID().slice(0, 8)}@example.com`, password: 'password 1234', displayName: 'T' } });
    expect(codes(r)).toEqual([]);
    return { token: r.data!.signUp.accessToken as string, id: r.data!.signUp.user.id as string };
  };
  const logOf = (service: string) => readFileSync(system.services[service]!.proc.logFile!, 'utf8');

  beforeAll(async () => {
    writeFileSync(join(music, 'trusted.wav'), wav({ title: 'Trusted Song', artist: 'Trust', album: 'Trust' }, 3));
    rogue = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        captured.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":null}');
      });
    });
    await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
    rogueUrl = `http://127.0.0.1:${(rogue.address() as { port: number }).port}`;
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      env: { LOG_LEVEL: 'warn', MUSIC_DIR: music },
      // Bound to every interface, stream must register an address others reach, not 127.0.0.1.
      serviceEnv: { stream: { HOST: '0.0.0.0' } },
    });
    url = system.graphqlUrl;
    const { token } = await signUp();
    trackId = await waitFor(
      async () => {
        const r = await gql(url, '{ tracks(first: 10) { edges { node { id title } } } }', {}, token);
        return r.data?.tracks.edges.find((e: { node: { title: string } }) => e.node.title === 'Trusted Song')?.node.id as string | undefined;
      },
      30_000,
      250,
      'scan',
    );
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await system?.stop();
    await new Promise((resolve) => rogue?.close(resolve));
    rmSync(music, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('refuses a rogue registration as resource, without credentials or with stream’s, and routes nothing to it', async () => {
    const claim: RegisterRequest = {
      name: 'resource',
      instanceId: `resource-rogue-${randomUUID()}`,
      graphqlUrl: `${rogueUrl}/graphql`,
      httpUrl: rogueUrl,
      sdl: readFileSync(new URL('../../subgraphs/resource/schema.graphql', import.meta.url), 'utf8'),
      version: 'evil',
    };
    const anonymous = client(RegistryClient, 'router', NOBODY);
    await expect(unaryCall(anonymous.register.bind(anonymous), claim, { deadlineMs: 2_000 })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    const stream = client(RegistryClient, 'router', as('stream'));
    await expect(unaryCall(stream.register.bind(stream), claim, { deadlineMs: 2_000 })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    // The router keeps routing only to the real resource: sign-ups (email and password in the body) never reach the rogue.
    for (let i = 0; i < 4; i++) await signUp();
    expect(captured).toEqual([]);
    await waitFor(() => logOf('router').includes('"reason":"stream may register only under its own name, not as resource"'), 5_000, 100, 'the refusal logged');
    expect(logOf('router')).toContain('"grpcStatus":"UNAUTHENTICATED"');
  });

  it('refuses a rogue RevokeTickets: the ticket keeps playing until resource revokes it on signOut', async () => {
    const user = await signUp();
    const ticket = await gql(url, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: trackId }, user.token);
    expect(codes(ticket)).toEqual([]);
    const audio = `${system.routerUrl}${new URL(ticket.data!.requestPlayback.url).pathname}`;
    const play = async () => (await fetch(audio, { headers: { range: 'bytes=0-99' } })).status;
    expect(await play()).toBe(206);

    const revoke = (caller: CallerCredentials) => {
      const c = client(StreamClient, 'stream', caller);
      return unaryCall(c.revokeTickets.bind(c), { userId: user.id }, { deadlineMs: 2_000 });
    };
    await expect(revoke(NOBODY)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    for (const name of ['library', 'router', 'stream'] as const) await expect(revoke(as(name))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    expect(await play()).toBe(206);
    await waitFor(() => logOf('stream').includes('"reason":"library may not call /ytm.stream.v1.Stream/RevokeTickets"'), 5_000, 100, 'the refusal logged');
    expect(logOf('stream')).not.toContain('Bearer');

    // The real caller still gets through: signOut makes resource revoke the session's tickets.
    expect(codes(await gql(url, 'mutation { signOut }', {}, user.token))).toEqual([]);
    await waitFor(async () => (await play()) === 403, 5_000, 100, 'the ticket revoked by resource');
  });

  it('refuses a rogue GetTrackFile (file paths) and BatchGetTracks', async () => {
    const file = (caller: CallerCredentials) => {
      const c = client(LibraryClient, 'library', caller);
      return unaryCall(c.getTrackFile.bind(c), { trackId }, { deadlineMs: 2_000 });
    };
    await expect(file(NOBODY)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    for (const name of ['resource', 'router', 'library'] as const) await expect(file(as(name))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    const fromStream = client(LibraryClient, 'library', as('stream'));
    await expect(unaryCall(fromStream.batchGetTracks.bind(fromStream), { ids: [trackId] }, { deadlineMs: 2_000 })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    // A token from another trust root (a key nobody trusts) is no better than none.
    const stranger = mkdtempSync(join(tmpdir(), 'ytm-stranger-'));
    try {
      const { ensureTrustMaterial } = await import('@ytm/trust');
      ensureTrustMaterial(stranger);
      await expect(file(ServiceIdentity.load({ dir: stranger, name: 'stream' }))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    } finally {
      rmSync(stranger, { recursive: true, force: true });
    }
    expect((await file(as('stream'))).trackId).toBe(trackId);
  });

  it('a service bound to 0.0.0.0 registers a reachable, non-loopback address, and the router routes to it', async () => {
    const health = (await (await fetch(`${system.routerOpsUrl}/health`)).json()) as { registrations: Array<{ name: string; graphqlUrl: string }> };
    const stream = health.registrations.find((r) => r.name === 'stream');
    const host = new URL(stream!.graphqlUrl).hostname;
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal)
      .map((i) => i!.address);
    expect(external).toContain(host);
    // Playback goes router → stream's registered URL (the RevokeTickets test above played through it too).
    const user = await signUp();
    const ticket = await gql(url, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: trackId }, user.token);
    const res = await fetch(`${system.routerUrl}${new URL(ticket.data!.requestPlayback.url).pathname}`, { headers: { range: 'bytes=0-9' } });
    expect(res.status).toBe(206);
  });

  it('refuses a registration whose URL is the router itself or leads nowhere, and keeps routing to the real service', async () => {
    const library = client(RegistryClient, 'router', as('library'));
    const sdl = readFileSync(new URL('../../subgraphs/library/schema.graphql', import.meta.url), 'utf8');
    const claim = (base: string): RegisterRequest => ({
      name: 'library',
      instanceId: `library-${randomUUID()}`,
      graphqlUrl: `${base}/graphql`,
      httpUrl: base,
      sdl,
      version: 't',
    });
    const refusal = (base: string) =>
      unaryCall(library.register.bind(library), claim(base), { deadlineMs: 5_000 }).catch((err: { code: number; details: string }) => err);
    expect(await refusal(system.routerUrl)).toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining('points at the router itself'),
    });
    expect(await refusal(rogueUrl)).toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringContaining('not reachable as a subgraph') });
    const r = await gql(url, 'query($id: ID!) { track(id: $id) { title } }', { id: trackId }, (await signUp()).token);
    expect(r.data!.track.title).toBe('Trusted Song');
  });

  it('keeps serving after all of it', async () => {
    const user = await signUp();
    const r = await gql(url, 'query($id: ID!) { me { id } track(id: $id) { title } }', { id: trackId }, user.token);
    expect(codes(r)).toEqual([]);
    expect(r.data!.track.title).toBe('Trusted Song');
  });

  it('gRPC health lists exactly the services each process serves', async () => {
    const check = (service: string, name: string) => {
      const c = client(HealthClient, service, NOBODY);
      return unaryCall(c.check.bind(c), { service: name }, { deadlineMs: 2_000 }).then(
        (r) => ServingStatus[r.status],
        (err: { code: number }) => status[err.code],
      );
    };
    const served: Record<string, string[]> = {
      router: ['ytm.registry.v1.Registry'],
      library: ['ytm.library.v1.Library'],
      stream: ['ytm.stream.v1.Stream'],
      resource: ['ytm.resource.v1.Resource'],
    };
    const all = ['ytm.registry.v1.Registry', 'ytm.library.v1.Library', 'ytm.stream.v1.Stream', 'ytm.resource.v1.Resource'];
    for (const [service, names] of Object.entries(served)) {
      expect(await check(service, '')).toBe('SERVING');
      for (const name of all) expect([service, name, await check(service, name)]).toEqual([service, name, names.includes(name) ? 'SERVING' : 'NOT_FOUND']);
    }
  });
});
