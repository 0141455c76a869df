import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { gql, ME, SIGN_IN, SIGN_UP } from '../e2e/graphql-client.js';
import { subscribe, type Recorder } from '../e2e/ws-client.js';
import { wav } from '../e2e/corpus.js';
import { gqlAsAnApp } from './app-client.js';
import { Stack } from './lib/stack.mjs';

/**
 * docker-compose.yml + compose.scale.yml (two of every YTM service) as started by run.mjs --scale,
 * driven only through the edge's one published port; which router and which replica served what
 * is read from each container's ops listener (/health registrations and subscribers, /metrics).
 */
const env = process.env;
if (!env.YTM_COMPOSE_URL) throw new Error('run through `npm run test:compose -- --scale`, which starts the stack');
const base = env.YTM_COMPOSE_URL;
const graphql = `${base}/graphql`;
const music = env.YTM_COMPOSE_MUSIC!;
const admin = JSON.parse(env.YTM_COMPOSE_ADMIN!) as { email: string; password: string };
const stack = new Stack({ env, project: env.YTM_COMPOSE_PROJECT!, files: env.YTM_COMPOSE_FILES!.split(','), cwd: process.cwd(), log: console.log });

const OPS = { router: 9400, library: 9401, resource: 9402, stream: 9403, subsonic: 9404 } as const;
type Service = keyof typeof OPS;
const SERVICES = Object.keys(OPS) as Service[];
const ALBUM = 'Scaled Album';
const TITLES = ['Left Channel', 'Right Channel'];

const names = async (service: Service): Promise<string[]> => (await stack.containers(service)).map((c: { name: string }) => c.name).sort();

/** POST /graphql requests a container has answered, from its /metrics. */
async function graphqlServed(service: Service, container: string): Promise<number> {
  const text: string = await stack.opsText(container, OPS[service], '/metrics');
  let n = 0;
  for (const m of text.matchAll(/^ytm_http_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
    if (m[1]!.includes('method="POST"') && m[1]!.includes('route="/graphql"')) n += Number(m[2]);
  }
  return n;
}

/** Per container of the service: how many POST /graphql it answered. */
const servedBy = async (service: Service) =>
  Object.fromEntries(await Promise.all((await names(service)).map(async (c) => [c, await graphqlServed(service, c)])));
const delta = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([c, n]) => [c, n - (before[c] ?? 0)]));

const opsHealth = async (service: Service, container: string) => JSON.parse(await stack.opsText(container, OPS[service], '/health'));

describe('docker-compose.yml with compose.scale.yml: 2 routers and 2 of every subgraph behind the one edge', () => {
  let userToken: string;
  let routers: string[];
  const open: Recorder[] = [];

  beforeAll(async () => {
    const albumDir = join(music, ALBUM);
    mkdirSync(albumDir, { recursive: true });
    TITLES.forEach((title, i) =>
      writeFileSync(join(albumDir, `${i + 1} ${title}.wav`), wav({ title, artist: 'Scaled Artist', album: ALBUM, track: i + 1 }, 1)),
    );
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0xcc6633:s=64x64', '-frames:v', '1', '-y', join(albumDir, 'cover.png')]);
    routers = await names('router');
  });

  afterAll(async () => {
    await Promise.all(open.map((r) => r.dispose()));
  });

  it('runs two of every YTM service, publishes only the edge on 127.0.0.1, and the edge has both routers UP', async () => {
    for (const service of SERVICES) expect([service, (await names(service)).length]).toEqual([service, 2]);
    const containers = await stack.containers();
    expect(containers.filter((c: { state: string; service: string }) => c.service !== 'trust-init' && c.state !== 'running')).toEqual([]);
    const published = containers.flatMap((c: { service: string; ports: Record<string, unknown>[] }) => c.ports.map((p) => ({ service: c.service, ...p })));
    expect(published).toEqual([
      expect.objectContaining({ service: 'edge', host_ip: '127.0.0.1', container_port: 4000, host_port: Number(new URL(base).port) }),
    ]);
    // The edge holds each router's address (found through DNS), health-checked UP.
    const up = (await stack.edgeRouters()).filter((s: { status: string }) => s.status === 'UP').map((s: { address: string }) => s.address);
    expect(up.sort()).toEqual([...(await stack.addresses('router')).values()].sort());
  });

  it('every router holds a registration of each replica of every service (REGISTRY_URL router:50050 reaches both routers)', async () => {
    const seen: Record<string, string[]> = {};
    for (const router of routers) {
      const regs = await waitFor(
        async () => {
          const { registrations } = (await opsHealth('router', router)) as { registrations: Array<{ name: string; instanceId: string; httpUrl: string }> };
          const count = (name: string) => registrations.filter((r) => r.name === name).length;
          return ['library', 'resource', 'stream', 'subsonic'].every((n) => count(n) === 2) ? registrations : undefined;
        },
        60_000,
        500,
        `two registrations of every service on ${router}`,
      );
      // Two instances at two addresses; the same two on every router.
      for (const name of ['library', 'resource', 'stream', 'subsonic']) expect(new Set(regs.filter((r) => r.name === name).map((r) => r.httpUrl)).size).toBe(2);
      seen[router] = regs.map((r) => `${r.name} ${r.instanceId} ${r.httpUrl}`).sort();
    }
    expect(seen[routers[1]!]).toEqual(seen[routers[0]!]);
  });

  it('signs up and signs in through either router, and the two resource replicas share the work', async () => {
    const [routersBefore, resourceBefore] = [await servedBy('router'), await servedBy('resource')];
    const up = await gql(graphql, SIGN_UP, { input: { email: 'scaled@compose.test', password: 'scaled-password-1', displayName: 'Scaled' } });
    expect(up.errors).toBeUndefined();
    userToken = up.data!.signUp.accessToken;
    for (let i = 0; i < 4; i++) {
      const signIn = await gql(graphql, SIGN_IN, {
        email: i % 2 ? admin.email : 'scaled@compose.test',
        password: i % 2 ? admin.password : 'scaled-password-1',
      });
      expect(signIn.errors).toBeUndefined();
      // The token one router issued is accepted by whichever router takes the next request.
      const me = await gql(graphql, ME, {}, signIn.data!.signIn.accessToken);
      expect(me.errors).toBeUndefined();
    }
    for (const [router, n] of Object.entries(delta(routersBefore, await servedBy('router')))) expect([router, n > 0]).toEqual([router, true]);
    for (const [replica, n] of Object.entries(delta(resourceBefore, await servedBy('resource')))) expect([replica, n > 0]).toEqual([replica, true]);
  });

  it('scans the folder and lists its tracks, served by both library replicas', async () => {
    const signIn = await gql(graphql, SIGN_IN, admin);
    const adminToken = signIn.data!.signIn.accessToken as string;
    const scan = await gql(graphql, `mutation { startLibraryScan(full: true) { state } }`, {}, adminToken);
    expect(scan.errors).toBeUndefined();
    const listed = await waitFor(
      async () => {
        const r = await gql(graphql, `query { tracks(first: 10, sort: TITLE) { edges { node { id title } } } }`, {}, userToken);
        const titles = (r.data?.tracks.edges ?? []).map((e: { node: { title: string } }) => e.node.title);
        return titles.length === TITLES.length ? titles : undefined;
      },
      60_000,
      500,
      'the scanned tracks',
    );
    expect(listed).toEqual([...TITLES].sort());
    const before = await servedBy('library');
    // Each replica answers from its own catalogue: every answer lists the files exactly once.
    for (let i = 0; i < 6; i++) {
      const r = await gql(graphql, `query { tracks(first: 10, sort: TITLE) { edges { node { id title } } } }`, {}, userToken);
      expect(r.errors).toBeUndefined();
      expect(r.data!.tracks.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual([...TITLES].sort());
    }
    for (const [replica, n] of Object.entries(delta(before, await servedBy('library')))) expect([replica, n > 0]).toEqual([replica, true]);
  });

  it('a playlistChanged subscriber on one router gets the change made through the other', async () => {
    const created = await gql(graphql, 'mutation { createPlaylist(input: { name: "Shared", visibility: PUBLIC }) { id } }', {}, userToken);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createPlaylist.id as string;
    // Subscribe through the edge until each router holds one of ours; note which router each is on.
    const on = new Map<Recorder, string>();
    const subscribers = async () =>
      Object.fromEntries(await Promise.all(routers.map(async (r) => [r, ((await opsHealth('router', r)) as { subscribers: number }).subscribers])));
    for (let i = 0; i < 6 && new Set(on.values()).size < 2; i++) {
      const before = await subscribers();
      const rec = subscribe(graphql, userToken, 'subscription($id: ID!) { playlistChanged(id: $id) { kind playlist { name } } }', { id });
      open.push(rec);
      const router = await waitFor(
        async () => {
          const now = await subscribers();
          return routers.find((r) => now[r]! > before[r]!);
        },
        20_000,
        200,
        'the new subscription on a router',
      );
      on.set(rec, router);
    }
    expect(new Set(on.values()).size).toBe(2);
    const routersBefore = await servedBy('router');
    const renamed = await gql(graphql, 'mutation($id: ID!) { updatePlaylist(id: $id, input: { name: "Shared v2" }) { version } }', { id }, userToken);
    expect(renamed.errors).toBeUndefined();
    const handled = Object.entries(delta(routersBefore, await servedBy('router'))).filter(([, n]) => n > 0);
    expect(handled).toHaveLength(1);
    const mutatedOn = handled[0]![0];
    const got = (rec: Recorder) => rec.events.some((e) => e.playlistChanged?.playlist?.name === 'Shared v2');
    for (const rec of on.keys()) await waitFor(() => got(rec), 30_000, 100, `the rename on ${on.get(rec)}`);
    // At least one subscriber sits on the router that did not take the mutation, and got it (Kafka to every router).
    expect([...on.entries()].filter(([rec, router]) => router !== mutatedOn && got(rec)).length).toBeGreaterThan(0);
    for (const rec of on.keys()) expect(rec.errors).toEqual([]);
  });

  it('plays a track through the edge (bytes equal to the file), tickets from both stream replicas', async () => {
    const tracks = await gql(graphql, `query { tracks(first: 10, sort: TITLE) { edges { node { id title } } } }`, {}, userToken);
    const track = tracks.data!.tracks.edges.find((e: { node: { title: string } }) => e.node.title === TITLES[0]).node;
    const file = readFileSync(join(music, ALBUM, `1 ${TITLES[0]}.wav`));
    const before = await servedBy('stream');
    for (let i = 0; i < 4; i++) {
      const r = await gql(graphql, `mutation($id: ID!) { requestPlayback(trackId: $id) { url } }`, { id: track.id }, userToken);
      expect(r.errors).toBeUndefined();
      const audio = await fetch(r.data!.requestPlayback.url);
      expect(audio.status).toBe(200);
      expect(Buffer.from(await audio.arrayBuffer()).equals(file)).toBe(true);
    }
    for (const [replica, n] of Object.entries(delta(before, await servedBy('stream')))) expect([replica, n > 0]).toEqual([replica, true]);
  });

  it('keeps answering through the edge with one router stopped, then one replica of each subgraph stopped too', async () => {
    const tracks = await gql(graphql, `query { tracks(first: 10, sort: TITLE) { edges { node { id title } } } }`, {}, userToken);
    const track = tracks.data!.tracks.edges[0].node;
    // Right after a replica stops, a call may meet it before its peers stop reaching for it: the
    // contract's answer then is SERVICE_UNAVAILABLE with a retryAfter, which an app honours.
    const works = async (what: string) => {
      for (let i = 0; i < 8; i++) {
        const me = await gqlAsAnApp(graphql, `me (${what})`, ME, {}, userToken);
        expect([what, me.errors]).toEqual([what, undefined]);
        const list = await gqlAsAnApp(graphql, `tracks (${what})`, `query { tracks(first: 10) { edges { node { id } } } }`, {}, userToken);
        expect([what, list.errors]).toEqual([what, undefined]);
      }
      const play = await gqlAsAnApp(
        graphql,
        `requestPlayback (${what})`,
        `mutation($id: ID!) { requestPlayback(trackId: $id) { url } }`,
        { id: track.id },
        userToken,
      );
      expect([what, play.errors]).toEqual([what, undefined]);
      expect([what, (await fetch(play.data!.requestPlayback.url, { headers: { range: 'bytes=0-99' } })).status]).toEqual([what, 206]);
      const signIn = await gqlAsAnApp(graphql, `signIn (${what})`, SIGN_IN, admin);
      expect([what, signIn.errors]).toEqual([what, undefined]);
    };
    await stack.stopContainer(routers[0]!);
    await works(`${routers[0]} stopped`);
    for (const service of ['library', 'resource', 'stream'] as const) await stack.stopContainer((await names(service))[0]!);
    await works('one replica of library, resource and stream stopped too');
  });
});
