import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { writeWav } from './corpus.js';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';
import { gql, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

/** A raw graphql-ws connection: resolves once acknowledged or closed, so close codes and reasons are visible. */
interface Connection {
  socket: WebSocket;
  acked: boolean;
  closed?: { code: number; reason: string };
  errors: Array<{ id: string; payload: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
}

function connect(graphqlUrl: string, token: string): Promise<Connection> {
  const socket = new WebSocket(graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const conn: Connection = { socket, acked: false, errors: [] };
  return new Promise((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string } & Connection['errors'][number];
      if (message.type === 'connection_ack') {
        conn.acked = true;
        resolve(conn);
      }
      if (message.type === 'error') conn.errors.push(message);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      conn.closed = { code, reason: reason.toString() };
      resolve(conn);
    });
    socket.on('error', () => undefined); // 'close' follows
  });
}

async function disconnect(conn: Connection): Promise<void> {
  if (conn.closed) return;
  const closed = new Promise((resolve) => conn.socket.once('close', resolve));
  conn.socket.close(1000);
  await closed;
}

const LIBRARY_CHANGED = 'subscription { libraryChanged { kind trackId } }';
const subscribe = (conn: Connection, id: string) => conn.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: LIBRARY_CHANGED } }));

/** Issue 14, item 7: what one account and one address may hold open on the router, over real sockets. */
describe('limits per account and per address (real WebSockets and HTTP against the real router)', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2elim');
  const music = mkdtempSync(join(tmpdir(), 'ytm-music-'));
  let system: System;
  let graphqlUrl: string;
  const users: string[] = [];
  const open: Connection[] = [];
  const held: http.ClientRequest[] = [];

  /** A value of the router's metrics (ops listener), 0 when the series does not exist yet. */
  const metric = async (series: string): Promise<number> => {
    const text = await (await fetch(`${system.routerOpsUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  const rejections = (limit: string) => metric(`ytm_limit_rejections_total{limit="${limit}"}`);
  const tracked = async (connecting: Promise<Connection>) => {
    const conn = await connecting;
    open.push(conn);
    return conn;
  };
  /** Waits until the router's own count of something reaches `value`. */
  const until = (series: string, value: number) => waitFor(async () => (await metric(series)) === value, 10_000, 50, `${series} = ${value}`);

  beforeAll(async () => {
    // A long track (about 29 MB), so that an unread download stays in flight.
    writeWav(join(music, 'long.wav'), { title: 'Long Track', artist: 'Limits', album: 'Limits' }, 3_600);
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      env: {
        LOG_LEVEL: 'warn',
        MUSIC_DIR: music,
        WS_CONNECTIONS_PER_USER: '3',
        WS_CONNECTIONS_PER_ADDRESS: '6',
        SUBSCRIPTIONS_PER_USER: '4',
        MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
        HTTP_CONCURRENT_PER_ADDRESS: '4',
        MEDIA_CONCURRENT_PER_ADDRESS: '3',
      },
    });
    graphqlUrl = system.graphqlUrl;
    for (const name of ['ann', 'bob', 'cat']) {
      const r = await gql(graphqlUrl, SIGN_UP, {
        input: { email: `${name}-${randomUUID().slice(0, 6)}@example.com`, password: 'password 1234', displayName: name },
      });
      users.push(r.data!.signUp.accessToken as string);
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map(disconnect));
    for (const req of held.splice(0)) req.destroy();
    await until('ytm_websocket_connections', 0);
    await until('ytm_http_requests_in_flight{pool="api"}', 0);
    await until('ytm_http_requests_in_flight{pool="media"}', 0);
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(music, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('one account holds at most WS_CONNECTIONS_PER_USER connections; 4430 beyond, and room again once one closes', async () => {
    const [ann] = users as [string];
    const first = await Promise.all([1, 2, 3].map(() => tracked(connect(graphqlUrl, ann))));
    expect(first.map((c) => c.acked)).toEqual([true, true, true]);
    const before = await rejections('ws_connections_per_user');

    const fourth = await tracked(connect(graphqlUrl, ann));
    expect(fourth.acked).toBe(false);
    expect(fourth.closed).toEqual({ code: 4430, reason: 'Too many connections for this account (at most 3)' });
    expect(await rejections('ws_connections_per_user')).toBe(before + 1);
    // The others are untouched, and another account is not affected.
    expect(first.every((c) => !c.closed)).toBe(true);
    expect((await tracked(connect(graphqlUrl, users[1]!))).acked).toBe(true);

    await disconnect(first[0]!);
    await until('ytm_websocket_connections', 3);
    expect((await tracked(connect(graphqlUrl, ann))).acked).toBe(true);
  });

  it('one account holds at most SUBSCRIPTIONS_PER_USER subscriptions over all its connections; RATE_LIMITED beyond', async () => {
    const [ann] = users as [string];
    const [a, b] = await Promise.all([tracked(connect(graphqlUrl, ann)), tracked(connect(graphqlUrl, ann))]);
    subscribe(a!, 'a1');
    subscribe(a!, 'a2');
    subscribe(b!, 'b1');
    subscribe(b!, 'b2');
    await until('ytm_subscriptions_active', 4);
    const before = await rejections('subscriptions_per_user');

    // Each connection is under its own limit (3), the account is at its limit (4).
    subscribe(a!, 'a3');
    await waitFor(() => a!.errors.length > 0, 5_000, 20, 'an error message');
    expect(a!.errors[0]).toMatchObject({ id: 'a3', payload: [{ extensions: { code: 'RATE_LIMITED', retryAfter: 1 } }] });
    expect(a!.errors[0]!.payload[0]!.message).toContain('At most 4 subscriptions per account');
    expect(await rejections('subscriptions_per_user')).toBe(before + 1);
    expect(await metric('ytm_subscriptions_active')).toBe(4);
    expect(a!.closed).toBeUndefined();

    // Ending one, or closing a connection, gives the account its room back.
    b!.socket.send(JSON.stringify({ id: 'b1', type: 'complete' }));
    await until('ytm_subscriptions_active', 3);
    subscribe(a!, 'a4');
    await until('ytm_subscriptions_active', 4);
    await disconnect(b!);
    await until('ytm_subscriptions_active', 3);
    subscribe(a!, 'a5');
    await waitFor(() => a!.errors.length > 1, 5_000, 20, 'the per-connection limit');
    expect(a!.errors[1]).toMatchObject({ id: 'a5', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    const c = await tracked(connect(graphqlUrl, ann));
    subscribe(c, 'c1');
    await until('ytm_subscriptions_active', 4);
    expect(a!.errors).toHaveLength(2);
    expect(c.errors).toHaveLength(0);
  });

  it('one address holds at most WS_CONNECTIONS_PER_ADDRESS connections, whoever signs in; 4430 beyond', async () => {
    const [ann, bob, cat] = users as [string, string, string];
    const six = await Promise.all([ann, ann, ann, bob, bob, bob].map((t) => tracked(connect(graphqlUrl, t))));
    expect(six.every((c) => c.acked)).toBe(true);
    const before = await rejections('ws_connections_per_address');

    const seventh = await tracked(connect(graphqlUrl, cat));
    expect(seventh.closed).toEqual({ code: 4430, reason: 'Too many connections from this address (at most 6)' });
    expect(await rejections('ws_connections_per_address')).toBe(before + 1);

    await disconnect(six[5]!);
    await until('ytm_websocket_connections', 5);
    expect((await tracked(connect(graphqlUrl, cat))).acked).toBe(true);
  });

  /** A POST /graphql whose body never finishes: the request stays in flight until destroyed. */
  const holdGraphqlRequest = (): http.ClientRequest => {
    const req = http.request(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100' } });
    req.on('error', () => undefined);
    req.write('{"query":');
    held.push(req);
    return req;
  };
  /** A GET of the long track through the router's media relay, never read: it stays in flight until destroyed. */
  const holdDownload = (path: string): http.ClientRequest => {
    const req = http.get(`${system.routerUrl}${path}`);
    req.on('error', () => undefined);
    // A response listener that never reads: without one, Node would drain and discard the body.
    req.on('response', () => undefined);
    held.push(req);
    return req;
  };
  const ticketPath = async (token: string): Promise<string> => {
    const trackId = await waitFor(
      async () => (await gql(graphqlUrl, '{ tracks(first: 1) { edges { node { id } } } }', {}, token)).data?.tracks.edges[0]?.node.id as string | undefined,
      60_000,
      200,
      'the long track to be scanned',
    );
    const t = await gql(graphqlUrl, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: trackId }, token);
    return new URL(t.data!.requestPlayback.url as string).pathname;
  };

  it('one address has at most HTTP_CONCURRENT_PER_ADDRESS requests in flight; 429 with Retry-After and a GraphQL error beyond', async () => {
    const [ann] = users as [string];
    const path = await ticketPath(ann);
    for (let i = 0; i < 4; i++) holdGraphqlRequest();
    await until('ytm_http_requests_in_flight{pool="api"}', 4);
    const before = await rejections('http_concurrent_per_address');

    const refused = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ann}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      errors: [
        {
          message: 'Too many concurrent requests from this address (at most 4); retry when one has finished',
          extensions: { code: 'RATE_LIMITED', retryAfter: 1 },
        },
      ],
    });
    expect(await rejections('http_concurrent_per_address')).toBe(before + 1);
    // Media has a pool of its own: playback goes on while GraphQL is at its limit.
    const audio = await fetch(`${system.routerUrl}${path}`, { headers: { range: 'bytes=0-99' } });
    expect(audio.status).toBe(206);
    expect((await audio.arrayBuffer()).byteLength).toBe(100);

    held.shift()!.destroy();
    await until('ytm_http_requests_in_flight{pool="api"}', 3);
    const me = await gql(graphqlUrl, '{ me { id } }', {}, ann);
    expect(me.status).toBe(200);
    expect(me.errors).toBeUndefined();
  });

  it('long audio downloads use their own pool (MEDIA_CONCURRENT_PER_ADDRESS): 429 beyond it, GraphQL unaffected', async () => {
    const [ann] = users as [string];
    const path = await ticketPath(ann);
    for (let i = 0; i < 3; i++) holdDownload(path);
    await until('ytm_http_requests_in_flight{pool="media"}', 3);
    const before = await rejections('media_concurrent_per_address');

    const refused = await fetch(`${system.routerUrl}${path}`, { headers: { range: 'bytes=0-99' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfter: 1 } });
    expect(await rejections('media_concurrent_per_address')).toBe(before + 1);
    expect((await gql(graphqlUrl, '{ me { id } }', {}, ann)).errors).toBeUndefined();

    held.shift()!.destroy();
    await until('ytm_http_requests_in_flight{pool="media"}', 2);
    expect((await fetch(`${system.routerUrl}${path}`, { headers: { range: 'bytes=0-99' } })).status).toBe(206);
  });
});
