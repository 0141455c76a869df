import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { infraEnv, uniqueName } from '@ytm/testing';
import { dropSystemDatabases } from './databases.js';
import { freePort, startSystem } from '../../scripts/system.mjs';
import { codes, gql, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

/**
 * A TCP relay to resource's HTTP port: library's only way to the JWKS in this test. Closed, nothing
 * listens on its port (resource not started yet, as far as library can tell); open, it forwards
 * each connection after `delayMs` (an issuer answering slowly, as at load 20 in the compose run).
 */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  connections = 0;

  constructor(
    readonly port: number,
    private readonly target: () => number,
  ) {}

  async open(delayMs = 0): Promise<void> {
    const server = createServer((client) => {
      this.connections += 1;
      this.sockets.add(client);
      client.pause();
      setTimeout(() => {
        const upstream = createConnection({ host: '127.0.0.1', port: this.target() }, () => {
          client.pipe(upstream).pipe(client);
          client.resume();
        });
        this.sockets.add(upstream);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        upstream.on('error', end).on('close', end);
        client.on('error', end).on('close', end);
      }, delayMs);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

const TRACKS = '{ tracks(first: 1) { totalCount } }';

/**
 * A verifier that starts before the token issuer (compose started library before resource): its
 * first JWKS fetches fail or answer slowly. A valid token must then be answered "try again"
 * (SERVICE_UNAVAILABLE), never "invalid" (UNAUTHENTICATED), and accepted by the same process as
 * soon as the keys can be fetched, without a restart.
 */
describe('auth edge started before the issuer: library reaches the JWKS late (every process real)', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2ejwks');
  let system: System;
  let relay: Relay;
  let url: string;
  let token: string;

  beforeAll(async () => {
    relay = new Relay(await freePort(), () => system.services.resource.port);
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      env: { LOG_LEVEL: 'warn' },
      serviceEnv: { library: { JWKS_URL: `http://127.0.0.1:${relay.port}/.well-known/jwks.json` } },
    });
    url = system.graphqlUrl;
    // Resource (the issuer) is up: the router and resource verify the token, library cannot reach the keys.
    const up = await gql(url, SIGN_UP, { input: { email: `jwks-${randomUUID().slice(0, 8)}@example.com`, password: 'password 1234', displayName: 'J' } });
    expect(up.errors).toBeUndefined();
    token = up.data!.signUp.accessToken as string;
  }, 120_000);

  afterAll(async () => {
    await relay?.close();
    await system?.stop();
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('answers SERVICE_UNAVAILABLE with a retry time, not UNAUTHENTICATED, while the keys cannot be fetched', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await gql(url, TRACKS, {}, token);
      expect(codes(r)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(r.errors![0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfter: 1 });
      expect(JSON.stringify(r)).not.toContain('http://'); // no internal address reaches the client
    }
    const me = await gql(url, '{ me { id } }', {}, token); // the router and resource verify it meanwhile
    expect(me.errors).toBeUndefined();
  });

  it('accepts the token on the first request once the issuer is reachable, without a restart', async () => {
    // Right after a failed fetch (the last request above): the next attempt is made, not skipped.
    await relay.open();
    const r = await gql(url, TRACKS, {}, token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.tracks.totalCount).toBe(0);
    expect(relay.connections).toBeGreaterThan(0);
  });

  it('waits for a first JWKS answer slower than 2 s instead of rejecting the token', async () => {
    // A fresh library process (no keys yet) whose issuer answers after 3 s.
    await relay.close();
    await relay.open(3_000);
    // Library asks for the keys as it starts, so the wait counts from the restart.
    const started = Date.now();
    await system.services.library.restart();
    const [a, b] = await Promise.all([gql(url, TRACKS, {}, token), gql(url, TRACKS, {}, token)]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900); // it did wait for the slow answer
    const again = Date.now();
    expect((await gql(url, TRACKS, {}, token)).errors).toBeUndefined();
    expect(Date.now() - again).toBeLessThan(2_000); // the keys are cached now
  });
});
