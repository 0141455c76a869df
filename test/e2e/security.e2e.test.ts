import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';
import { codes, gql, ME, SIGN_IN, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

/** Issue 7: attacks on the running system. Each gets the right code, no crash, nothing changed. */
describe('security: attacks through the router', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2esec');
  const music = mkdtempSync(join(tmpdir(), 'ytm-music-'));
  const outside = mkdtempSync(join(tmpdir(), 'ytm-outside-'));
  const admin = { email: `admin-${randomUUID().slice(0, 6)}@example.com`, password: 'admin password 123' };
  let system: System;
  let url: string;
  let ann: { token: string; id: string; email: string };
  let bob: { token: string; id: string };
  let trackId: string;
  let annPrivate: string;

  beforeAll(async () => {
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=550:duration=2',
      '-metadata',
      'title=Inside',
      '-metadata',
      'artist=Sec',
      '-y',
      join(music, 'inside.mp3'),
    ]);
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=660:duration=2',
      '-metadata',
      'title=Outside Secret',
      '-metadata',
      'artist=Sec',
      '-y',
      join(outside, 'secret.mp3'),
    ]);
    writeFileSync(join(outside, 'passwd.mp3'), 'root:x:0:0:root:/root:/bin/bash\n');
    symlinkSync(outside, join(music, 'escape'));
    symlinkSync(join(outside, 'secret.mp3'), join(music, 'linked-secret.mp3'));
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      env: { LOG_LEVEL: 'warn', MUSIC_DIR: music, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    });
    url = system.graphqlUrl;
    const signUp = async (name: string) => {
      const email = `${name}-${randomUUID().slice(0, 6)}@example.com`;
      const r = await gql(url, SIGN_UP, { input: { email, password: 'password 1234', displayName: name } });
      return { token: r.data!.signUp.accessToken as string, id: r.data!.signUp.user.id as string, email };
    };
    ann = await signUp('ann');
    bob = await signUp('bob');
    trackId = await waitFor(
      async () => {
        const r = await gql(url, '{ tracks(first: 10) { edges { node { id title } } } }', {}, ann.token);
        return r.data?.tracks.edges.find((e: { node: { title: string } }) => e.node.title === 'Inside')?.node.id as string | undefined;
      },
      30_000,
      250,
      'scan',
    );
    annPrivate = (await gql(url, 'mutation { createPlaylist(input: { name: "Ann private" }) { id } }', {}, ann.token)).data!.createPlaylist.id;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(music, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('does not follow symlinks out of the music folder', async () => {
    const r = await gql(url, '{ search(query: "secret") { tracks { id title } } tracks(first: 100) { totalCount edges { node { title } } } }', {}, ann.token);
    expect(r.data!.search.tracks).toEqual([]);
    expect(r.data!.tracks.edges.map((e: { node: { title: string } }) => e.node.title)).not.toContain('Outside Secret');
  });

  it('IDOR: reading what is not yours answers as missing; writing it is FORBIDDEN; nothing changes', async () => {
    expect((await gql(url, 'query($id: ID!) { playlist(id: $id) { id name } }', { id: annPrivate }, bob.token)).data).toEqual({ playlist: null });
    const writes: Array<[string, Record<string, unknown>]> = [
      ['mutation($id: ID!) { updatePlaylist(id: $id, input: { name: "pwned" }) { id } }', { id: annPrivate }],
      ['mutation($id: ID!) { deletePlaylist(id: $id) }', { id: annPrivate }],
      ['mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', { id: annPrivate, t: [trackId] }],
      ['mutation($id: ID!) { removePlaylistItems(id: $id, itemIds: ["x"]) { id } }', { id: annPrivate }],
      ['mutation($id: ID!) { movePlaylistItem(id: $id, itemId: "x", toPosition: 0) { id } }', { id: annPrivate }],
    ];
    for (const [query, variables] of writes) {
      const r = await gql(url, query, variables, bob.token);
      // A private playlist of someone else does not exist for bob: NOT_FOUND; a visible one would be FORBIDDEN.
      expect(['FORBIDDEN', 'NOT_FOUND']).toContain(codes(r)[0]);
    }
    const still = await gql(url, 'query($id: ID!) { playlist(id: $id) { name version trackCount } }', { id: annPrivate }, ann.token);
    expect(still.data!.playlist).toEqual({ name: 'Ann private', version: 1, trackCount: 0 });
    // Other users' private fields.
    expect(codes(await gql(url, 'query($id: ID!) { user(id: $id) { email } }', { id: ann.id }, bob.token))).toEqual(['FORBIDDEN']);
    for (const field of ['likedTracks { totalCount }', 'recentlyPlayed { playedAt }', 'playbackQuota { playsToday }']) {
      const r = await gql(url, `query($id: ID!) { user(id: $id) { id ${field} } }`, { id: ann.id }, bob.token);
      expect(codes(r)).toContain('FORBIDDEN');
    }
    // Admin-only mutations.
    expect(codes(await gql(url, 'mutation($id: ID!) { setUserPlan(userId: $id, tier: PREMIUM) { id } }', { id: bob.id }, bob.token))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, 'mutation { startLibraryScan { state } }', {}, bob.token))).toEqual(['FORBIDDEN']);
    expect((await gql(url, ME, {}, bob.token)).data!.me.plan.tier).toBe('FREE');
    // M3U8 export of someone else's private playlist.
    const m3u = await fetch(`${system.routerUrl}/playlists/${annPrivate}.m3u8`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(m3u.status).toBe(404);
  });

  it('malformed and unknown IDs are clean errors, never crashes', async () => {
    for (const id of ['', 'x'.repeat(10_000), '../../etc/passwd', '{"$gt":""}', '\u0000']) {
      const r = await gql(url, 'query($id: ID!) { track(id: $id) { id } playlist(id: $id) { id } user(id: $id) { id } }', { id }, ann.token);
      expect(r.status).toBeLessThan(500);
      for (const code of codes(r)) expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(code);
    }
  });

  it('a playback ticket is no access token, and an access token is no ticket', async () => {
    const t = await gql(url, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: trackId }, ann.token);
    expect(t.errors).toBeUndefined();
    const ticketUrl = new URL(t.data!.requestPlayback.url);
    const ticket = decodeURIComponent(ticketUrl.pathname.split('/').pop()!);
    expect(codes(await gql(url, ME, {}, ticket))).toEqual(['UNAUTHENTICATED']);
    const withAccess = await fetch(`${system.routerUrl}/stream/${ann.token}`, { headers: { range: 'bytes=0-10' } });
    expect([401, 403]).toContain(withAccess.status);
    const ok = await fetch(`${system.routerUrl}${ticketUrl.pathname}`, { headers: { range: 'bytes=0-10' } });
    expect(ok.status).toBe(206);
  });

  it('path traversal through stream and art URLs gets a 4xx', async () => {
    for (const path of [
      '/stream/../../../etc/passwd',
      '/stream/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/art/../../etc/passwd',
      '/art/%2e%2e%2fpackage.json',
      '/stream/',
      '/art/',
    ]) {
      const res = await fetch(`${system.routerUrl}${path}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.text()).not.toContain('root:x:0:0');
    }
  });

  it('sign-in brute force is throttled with RATE_LIMITED and retryAfter', async () => {
    let last;
    for (let i = 0; i < 12; i++) last = await gql(url, SIGN_IN, { email: ann.email, password: `guess-${i}-wrong` });
    expect(codes(last!)).toEqual(['RATE_LIMITED']);
    expect(last!.errors![0]!.extensions!.retryAfter).toBeGreaterThan(0);
    // Even the right password waits until the window passes.
    expect(codes(await gql(url, SIGN_IN, { email: ann.email, password: 'password 1234' }))).toEqual(['RATE_LIMITED']);
  });

  it('oversized inputs are rejected with the right code', async () => {
    const big = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ann.token}` },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(2_000_000)}` }),
    });
    expect(big.status).toBe(413);
    expect(codes(await gql(url, 'mutation($n: String!) { updateProfile(displayName: $n) { id } }', { n: 'x'.repeat(10_000) }, ann.token))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await gql(url, 'mutation($n: String!) { createPlaylist(input: { name: $n }) { id } }', { n: 'x'.repeat(100_000) }, ann.token))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await gql(url, 'mutation($n: String!) { createPlaylist(input: { name: $n }) { id } }', { n: '   ' }, ann.token))).toEqual(['BAD_USER_INPUT']);
    const deep = `{ me { ${'playlists { edges { node { owner { '.repeat(8)}id${' } } } }'.repeat(8)} } }`;
    expect(codes(await gql(url, deep, {}, ann.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const aliases = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect(codes(await gql(url, aliases, {}, ann.token))[0]).toBe('GRAPHQL_VALIDATION_FAILED');
    const costly = '{ tracks(first: 100) { edges { node { album { tracks { artists { albums(first: 100) { edges { node { title } } } } } } } } } }';
    expect(codes(await gql(url, costly, {}, ann.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    // The supergraph's @listSize is read: `count` sizes randomTracks (500 × 672 is over the limit; the
    // same query with 10 is not), and what a client reads of each object costs nothing.
    const random = (n: number) =>
      `{ randomTracks(count: ${n}) { id title album { tracks { artists { albums(first: 10) { edges { node { id title year } } } } } } } }`;
    expect(codes(await gql(url, random(500), {}, ann.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await gql(url, random(10), {}, ann.token)).errors).toBeUndefined();
    expect(codes(await gql(url, '{ tracks(first: 1000) { totalCount } }', {}, ann.token))).toEqual(['BAD_USER_INPUT']);
    // The system is still healthy.
    expect((await gql(url, ME, {}, ann.token)).data!.me.id).toBe(ann.id);
  });
});
