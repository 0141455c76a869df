import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { gql, SIGN_IN, SIGN_UP } from '../e2e/graphql-client.js';
import { subscribe, type Recorder } from '../e2e/ws-client.js';
import { wav } from '../e2e/corpus.js';
import { gqlAsAnApp } from './app-client.js';
import { Stack } from './lib/stack.mjs';
import { podman } from './lib/podman.mjs';

/**
 * docker-compose.yml as started by run.mjs (podman-compose, compose.test.yml on top), driven only
 * through the edge's port published on 127.0.0.1 (HAProxy in front of the router), like a browser
 * or app would.
 */
const env = process.env;
if (!env.YTM_COMPOSE_URL) throw new Error('run through `npm run test:compose`, which starts the stack');
const base = env.YTM_COMPOSE_URL;
const graphql = `${base}/graphql`;
const music = env.YTM_COMPOSE_MUSIC!;
const admin = JSON.parse(env.YTM_COMPOSE_ADMIN!) as { email: string; password: string };
const stack = new Stack({ env, project: env.YTM_COMPOSE_PROJECT!, files: env.YTM_COMPOSE_FILES!.split(','), cwd: process.cwd(), log: console.log });

const sh = (script: string) => promisify(execFile)('sh', ['-c', script], { env });

const ALBUM = 'Compose Album';
const TITLES = ['First Light', 'Second Wind', 'Third Rail'];
const TRACKS = `query { tracks(first: 50, sort: TITLE) { edges { node { id title duration album { id title coverArt { url mimeType } } } } } }`;
type TrackNode = { id: string; title: string; album: { id: string; title: string; coverArt: { url: string; mimeType: string } | null } | null };

/** A cover's bytes once it answers 200 (right after the library restarts, the router may still reach for the instance that left). */
const coverOnceServed = async (url: string) => {
  const seen: number[] = [];
  const bytes = await waitFor(
    async () => {
      const res = await fetch(url);
      if (res.status === 200) return Buffer.from(await res.arrayBuffer());
      seen.push(res.status);
      return undefined;
    },
    30_000,
    250,
    `${url} answering 200`,
  );
  if (seen.length) console.log(`${url}: answered ${seen.join(', ')} before 200`);
  return bytes;
};

const tracks = async (token: string) => {
  const r = await gql<{ tracks: { edges: Array<{ node: TrackNode }> } }>(graphql, TRACKS, {}, token);
  expect(r.errors).toBeUndefined();
  return r.data!.tracks.edges.map((e) => e.node);
};

describe('docker-compose.yml under podman-compose, through the edge on 127.0.0.1', () => {
  let userToken: string;
  let adminToken: string;
  const albumDir = join(music, ALBUM);
  let recorder: Recorder | undefined;

  beforeAll(() => {
    mkdirSync(albumDir, { recursive: true });
    TITLES.forEach((title, i) =>
      writeFileSync(join(albumDir, `${i + 1} ${title}.wav`), wav({ title, artist: 'Compose Artist', album: ALBUM, track: i + 1 }, 1)),
    );
    // A real image for the cover and its thumbnails.
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x3366cc:s=96x96', '-frames:v', '1', '-y', join(albumDir, 'cover.png')]);
  });

  afterAll(async () => {
    await recorder?.dispose();
  });

  it('publishes the edge only, on 127.0.0.1, and keeps the ops endpoints off it', async () => {
    const published = (await stack.containers()).flatMap((c: { service: string; ports: Record<string, unknown>[] }) =>
      c.ports.map((p: Record<string, unknown>) => ({ service: c.service, ...p })),
    );
    expect(published).toEqual([
      expect.objectContaining({ service: 'edge', host_ip: '127.0.0.1', container_port: 4000, host_port: Number(new URL(base).port) }),
    ]);
    const health = await fetch(`${base}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const path of ['/ready', '/metrics']) expect((await fetch(`${base}${path}`)).status).toBe(404);
  });

  it('serves the web player at / from the router image (index.html and its hashed assets)', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    expect(html).toContain('<div id="root"></div>');
    // The built index.html, not the source one: it loads a hashed bundle from /assets/.
    expect(html).not.toContain('/src/main.ts');
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/index-[\w-]{8,}\.js$/);
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toMatch(/^(const|import)\b/);
    // Every file index.html loads (the entry, its preloaded chunk, the stylesheet) is served.
    const loaded = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(loaded.length).toBeGreaterThanOrEqual(2);
    for (const path of loaded) expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
    // An app route gets index.html too (a reload on it works); a missing asset stays a 404.
    expect((await fetch(`${base}/tracks`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await fetch(`${base}/assets/missing-0000.js`)).status).toBe(404);
  });

  it('signs up a listener and signs in the ADMIN set by ADMIN_EMAIL/ADMIN_PASSWORD', async () => {
    const up = await gql(graphql, SIGN_UP, { input: { email: 'listener@compose.test', password: 'listener-password-1', displayName: 'Listener' } });
    expect(up.errors).toBeUndefined();
    userToken = up.data!.signUp.accessToken;
    const signIn = await gql(graphql, SIGN_IN, { email: admin.email, password: admin.password });
    expect(signIn.errors).toBeUndefined();
    adminToken = signIn.data!.signIn.accessToken;
  });

  it('scans the music folder mounted read-only and lists its tracks', async () => {
    const scan = await gql(graphql, `mutation { startLibraryScan(full: true) { state } }`, {}, adminToken);
    expect(scan.errors).toBeUndefined();
    const listed = await waitFor(
      async () => {
        const status = await gql(graphql, `query { scanStatus { state errors } }`, {}, adminToken);
        if (status.data?.scanStatus.state !== 'IDLE') return undefined;
        const ts = await tracks(userToken);
        return ts.length === TITLES.length ? ts : undefined;
      },
      60_000,
      500,
      'the scanned tracks',
    );
    expect(listed.map((t) => t.title).sort()).toEqual([...TITLES].sort());
    expect(listed.every((t) => t.album?.title === ALBUM)).toBe(true);
    // The library cannot write into the music folder.
    const [library] = await stack.containers('library');
    const touch = await podman(env, ['exec', library!.name, 'sh', '-c', 'touch /music/x 2>&1 || echo refused'], { allowFail: true });
    expect(touch).toMatch(/Read-only file system|refused/);
  });

  it('serves the cover and a thumbnail through the router', async () => {
    const [track] = await tracks(userToken);
    const cover = track!.album!.coverArt!;
    expect(cover.url.startsWith(`${base}/art/`)).toBe(true);
    const res = await fetch(cover.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(cover.mimeType);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(albumDir, 'cover.png')))).toBe(true);
    const thumb = await fetch(`${cover.url}${cover.url.includes('?') ? '&' : '?'}size=32`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toMatch(/^image\//);
  });

  it('plays a track: the bytes through the router equal the file', async () => {
    const track = (await tracks(userToken)).find((t) => t.title === TITLES[1])!;
    const r = await gqlAsAnApp(
      graphql,
      'requestPlayback',
      `mutation($id: ID!) { requestPlayback(trackId: $id) { url mimeType } }`,
      { id: track.id },
      userToken,
    );
    expect(r.errors).toBeUndefined();
    const ticket = r.data!.requestPlayback as { url: string; mimeType: string };
    expect(ticket.url.startsWith(`${base}/stream/`)).toBe(true);
    const audio = await fetch(ticket.url);
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).equals(readFileSync(join(albumDir, `2 ${TITLES[1]}.wav`)))).toBe(true);
    const range = await fetch(ticket.url, { headers: { range: 'bytes=10-19' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(readFileSync(join(albumDir, `2 ${TITLES[1]}.wav`)).subarray(10, 20))).toBe(true);
  });

  it('pushes libraryChanged over WebSocket for a file dropped into the folder', async () => {
    recorder = subscribe(graphql, userToken, `subscription { libraryChanged { kind trackId track { title album { title } } } }`);
    await new Promise((resolve, reject) => {
      recorder!.client.on('connected', resolve);
      setTimeout(() => reject(new Error(`no WebSocket connection in 10 s: ${JSON.stringify(recorder!.errors)}`)), 10_000).unref();
    });
    // The subscribe message follows the connection ack: wait until the router holds the subscription.
    await waitFor(async () => (await stack.opsHealth('router', 9400)).subscribers === 1, 20_000, 250, 'the subscription live on the router');
    // Written beside the folder, then renamed in: the watcher never sees a half-written file.
    const staged = join(music, '..', `${basename(music)}-staged.wav`);
    writeFileSync(staged, wav({ title: 'Dropped In', artist: 'Compose Artist', album: ALBUM, track: 4 }, 1));
    renameSync(staged, join(albumDir, '4 Dropped In.wav'));
    const event = await waitFor(
      () => recorder!.events.find((e) => e.libraryChanged?.track?.title === 'Dropped In'),
      60_000,
      200,
      'libraryChanged for the dropped file',
    );
    expect(event.libraryChanged).toMatchObject({ kind: 'ADDED', track: { title: 'Dropped In', album: { title: ALBUM } } });
    expect(recorder.errors).toEqual([]);
  });

  it('keeps track IDs and covers across a restart of the library container', async () => {
    const before = await tracks(userToken);
    const coverUrl = before[0]!.album!.coverArt!.url;
    const coverBytes = await coverOnceServed(coverUrl);
    await stack.restart('library', 180_000);
    const after = await waitFor(
      async () => {
        const ts = await tracks(userToken).catch(() => undefined);
        return ts && ts.length === before.length ? ts : undefined;
      },
      60_000,
      500,
      'tracks after the restart',
    );
    expect(after.map((t) => [t.id, t.title])).toEqual(before.map((t) => [t.id, t.title]));
    expect(after[0]!.album!.coverArt!.url).toBe(coverUrl);
    expect((await coverOnceServed(coverUrl)).equals(coverBytes)).toBe(true);
  });
  it('backs up and restores the art volume with tar in the library container (README "Backup and restore")', async () => {
    const [track] = await tracks(userToken);
    const coverUrl = track!.album!.coverArt!.url;
    const coverBytes = await coverOnceServed(coverUrl);
    const [library] = await stack.containers('library');
    const dir = mkdtempSync(join(tmpdir(), 'ytm-compose-backup-'));
    try {
      // `docker compose exec -T library tar ...` as the README has it; podman-compose 1.0.3 prints its
      // own lines on stdout, so the stream is taken from `podman exec` (what compose exec runs).
      const archive = join(dir, 'ytm-art.tgz');
      // Not execFileSync: a blocked event loop would keep fetch's idle connections past the edge's keep-alive timeout.
      await sh(`podman exec -i ${library!.name} tar -C /var/lib/ytm/art -czf - . > ${archive}`);
      expect(statSync(archive).size).toBeGreaterThan(coverBytes.length / 2);
      // Lose the volume's contents: the cover is gone.
      await podman(env, ['exec', library!.name, 'sh', '-c', 'rm -rf /var/lib/ytm/art/* && test -z "$(ls -A /var/lib/ytm/art)"']);
      expect((await fetch(coverUrl)).status).toBe(404);
      await sh(`podman exec -i ${library!.name} tar -C /var/lib/ytm/art -xzf - < ${archive}`);
      const res = await fetch(coverUrl);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(coverBytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades in place: a new YTM_VERSION recreates every YTM container, volumes kept: same users, sessions, track IDs and covers', async () => {
    const before = await tracks(userToken);
    const coverUrl = before[0]!.album!.coverArt!.url;
    const coverBytes = await coverOnceServed(coverUrl);
    const version = env.YTM_VERSION!;
    const next = `${version}-next`;
    // The new release's images: the same build under a new tag (what `docker compose build` with a new YTM_VERSION makes).
    for (const s of ['router', 'library', 'resource', 'stream', 'subsonic'])
      await podman(env, ['tag', `localhost/ytm-${s}:${version}`, `localhost/ytm-${s}:${next}`]);
    const ytm = ['trust-init', 'resource', 'library', 'stream', 'router', 'subsonic'];
    const old = new Map((await stack.containers()).map((c: { id: string; service: string }) => [c.id, c.service]));
    const upgraded = new Stack({
      env: { ...env, YTM_VERSION: next },
      project: env.YTM_COMPOSE_PROJECT!,
      files: env.YTM_COMPOSE_FILES!.split(','),
      cwd: process.cwd(),
      log: console.log,
    });
    await upgraded.recreate(ytm);
    // Every YTM container is new and runs the new tag; MongoDB, Kafka and the edge kept theirs.
    const now = await upgraded.containers();
    expect(
      now
        .filter((c: { id: string }) => old.has(c.id))
        .map((c: { service: string }) => c.service)
        .sort(),
    ).toEqual(['edge', 'kafka', 'mongo']);
    for (const s of ytm.filter((x) => x !== 'trust-init'))
      expect((await upgraded.containers(s)).map((c: { image: string }) => c.image)).toEqual([`localhost/ytm-${s}:${next}`]);
    // The listener's account (resource's database), its session's signing key and the library survive.
    const signIn = await gql(graphql, SIGN_IN, { email: 'listener@compose.test', password: 'listener-password-1' });
    expect(signIn.errors).toBeUndefined();
    expect((await gql(graphql, `query { me { email } }`, {}, userToken)).data?.me.email).toBe('listener@compose.test');
    const after = await waitFor(
      async () => {
        const ts = await tracks(signIn.data!.signIn.accessToken).catch(() => undefined);
        return ts && ts.length === before.length ? ts : undefined;
      },
      60_000,
      500,
      'tracks after the upgrade',
    );
    expect(after.map((t) => [t.id, t.title])).toEqual(before.map((t) => [t.id, t.title]));
    expect((await coverOnceServed(coverUrl)).equals(coverBytes)).toBe(true);
  });
});
