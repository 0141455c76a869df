import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';
import { codes, gql, ME, SIGN_UP } from './graphql-client.js';
import { waitForSubscribers } from './ops-probe.js';
import { subscribe, type Recorder } from './ws-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

/** Scale-out: two routers and two replicas of every subgraph on one FerretDB and one Kafka. */
describe('scale-out: 2 routers × 2 replicas of each subgraph', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2eso');
  const music = mkdtempSync(join(tmpdir(), 'ytm-music-'));
  let system: System;
  let r1: string;
  let r2: string;
  let token: string;
  const open: Recorder[] = [];

  beforeAll(async () => {
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=330:duration=3',
      '-metadata',
      'title=Scaled Song',
      '-metadata',
      'artist=Scaled Artist',
      '-metadata',
      'album=Scaled Album',
      '-y',
      join(music, 'scaled.mp3'),
    ]);
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      routers: 2,
      replicas: 2,
      replicaEnv: { library: { SCAN_ON_START: 'false', WATCH: 'false' } },
      dbPrefix,
      production: true,
      env: { LOG_LEVEL: 'warn', MUSIC_DIR: music },
      readyTimeoutMs: 90_000,
    });
    [r1, r2] = (system.routerUrls as string[]).map((u) => `${u}/graphql`) as [string, string];
    const up = await gql(r1, SIGN_UP, { input: { email: `so-${randomUUID().slice(0, 8)}@example.com`, password: 'password 1234', displayName: 'Scaled' } });
    token = up.data!.signUp.accessToken;
  }, 150_000);

  afterAll(async () => {
    await Promise.all(open.map((r) => r.dispose()));
    await system?.stop();
    rmSync(music, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('every router sees two live instances of every subgraph', async () => {
    for (const router of [system.services.router, system.services.router2!]) {
      const health = (await (await fetch(`${router.opsUrl}/health`)).json()) as { registrations: Array<{ name: string }> };
      for (const name of ['library', 'resource', 'stream']) expect(health.registrations.filter((r) => r.name === name)).toHaveLength(2);
    }
  });

  it('a session from one router works on the other, and requests spread over the replicas', async () => {
    for (let i = 0; i < 10; i++) {
      const me = await gql(i % 2 ? r1 : r2, ME, {}, token);
      expect(me.errors).toBeUndefined();
    }
    const served = await Promise.all(
      [system.services.resource, system.services.resource2!].map(async (s) => {
        const metrics = await (await fetch(`${s.opsUrl}/metrics`)).text();
        return [...metrics.matchAll(/ytm_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} (\d+)/g)].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
      }),
    );
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
  });

  it('a display name changed through one replica shows on both at once: each holds the user, and hears of the change', async () => {
    const NAME = '{ me { displayName } }';
    const memoryReads = async (opsUrl: string): Promise<number> => {
      const metrics = await (await fetch(`${opsUrl}/metrics`)).text();
      return Number(/ytm_resource_user_reads_total\{source="memory"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const replicas = [system.services.resource, system.services.resource2!];
    // Read until both replicas answer `me` from memory.
    await waitFor(
      async () => {
        for (let i = 0; i < 4; i++) expect(codes(await gql(i % 2 ? r1 : r2, NAME, {}, token))).toEqual([]);
        return (await Promise.all(replicas.map((s) => memoryReads(s.opsUrl)))).every((n) => n > 0);
      },
      30_000,
      0,
      'both replicas hold the user',
    );
    const renamed = await gql(r1, 'mutation { updateProfile(displayName: "Scaled Again") { displayName } }', {}, token);
    expect(renamed.data?.updateProfile.displayName).toBe('Scaled Again');
    // The age limit is 10 s: the new name everywhere within 3 s is the change's event at work.
    const names = async () =>
      Promise.all(Array.from({ length: 8 }, (_, i) => gql(i % 2 ? r1 : r2, NAME, {}, token).then((r) => r.data?.me.displayName as string)));
    await waitFor(async () => (await names()).every((n) => n === 'Scaled Again'), 3_000, 50, 'the new name on both replicas');
    expect(new Set(await names())).toEqual(new Set(['Scaled Again']));
  });

  it('subscribers on both routers get an event caused through the other router', async () => {
    const created = await gql(r1, 'mutation { createPlaylist(input: { name: "Shared", visibility: PUBLIC }) { id } }', {}, token);
    const id = created.data!.createPlaylist.id as string;
    const query = 'subscription($id: ID!) { playlistChanged(id: $id) { kind playlist { name } } }';
    const a = subscribe(r1, token, query, { id });
    const b = subscribe(r2, token, query, { id });
    open.push(a, b);
    await waitForSubscribers(system.services.router.opsUrl, 1);
    await waitForSubscribers(system.services.router2!.opsUrl, 1);
    await gql(r2, 'mutation($id: ID!) { updatePlaylist(id: $id, input: { name: "Shared v2" }) { version } }', { id }, token);
    const renamed = (rec: Recorder) => rec.events.filter((e) => e.playlistChanged.playlist?.name === 'Shared v2');
    for (const rec of [a, b]) await waitFor(() => renamed(rec).length > 0, 15_000, 100, 'event on both routers');
    for (const rec of [a, b]) expect(renamed(rec)).toEqual([{ playlistChanged: { kind: 'UPDATED', playlist: { name: 'Shared v2' } } }]);
  });

  it('plays a track: ticket from one router, audio through the other', async () => {
    const track = await waitFor(
      async () => {
        const r = await gql(r2, '{ tracks(first: 5) { edges { node { id title } } } }', {}, token);
        return r.data?.tracks.edges.find((e: { node: { title: string } }) => e.node.title === 'Scaled Song')?.node;
      },
      30_000,
      250,
      'scanned track',
    );
    const ticket = await gql(r2, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url mimeType } }', { id: track.id }, token);
    expect(ticket.errors).toBeUndefined();
    const path = new URL(ticket.data!.requestPlayback.url).pathname;
    const res = await fetch(`${system.routerUrls[1]}${path}`, { headers: { range: 'bytes=0-99' } });
    expect(res.status).toBe(206);
    expect((await res.arrayBuffer()).byteLength).toBe(100);
  });

  it('keeps serving through both routers when a replica is killed', async () => {
    await system.services.resource2!.kill();
    for (let i = 0; i < 10; i++) {
      for (const url of [r1, r2]) {
        const me = await gql(url, ME, {}, token);
        expect(codes(me)).toEqual([]);
      }
    }
  });
});
