import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

const ITEMS =
  'version trackCount items(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id position addedAt track { id } } } }';
const GET = `query($id: ID!, $first: Int, $after: String) { playlist(id: $id) { ${ITEMS} } }`;
const ADD = `mutation($id: ID!, $t: [ID!]!, $pos: Int, $v: Int, $first: Int, $after: String) { addTracksToPlaylist(id: $id, trackIds: $t, position: $pos, expectedVersion: $v) { ${ITEMS} } }`;
const REMOVE = `mutation($id: ID!, $i: [ID!]!, $v: Int, $first: Int, $after: String) { removePlaylistItems(id: $id, itemIds: $i, expectedVersion: $v) { ${ITEMS} } }`;
const MOVE = `mutation($id: ID!, $i: ID!, $to: Int!, $v: Int, $first: Int, $after: String) { movePlaylistItem(id: $id, itemId: $i, toPosition: $to, expectedVersion: $v) { ${ITEMS} } }`;

interface Item {
  id: string;
  position: number;
  addedAt: string;
  track: { id: string } | null;
}
interface Items {
  version: number;
  trackCount: number;
  items: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: Item }> };
}

let h: Harness;
let owner: TestSession;
let other: TestSession;
let admin: TestSession;
let tracks: string[];

beforeAll(async () => {
  h = await startHarness();
  [owner, other, admin] = await Promise.all([h.signUp('owner'), h.signUp('other'), h.signInAdmin()]);
  tracks = h.library.add(20);
});
afterAll(async () => {
  await h.close();
});

async function playlist(s: TestSession = owner, visibility = 'PRIVATE'): Promise<string> {
  const r = await h.gql(
    'mutation($input: CreatePlaylistInput!) { createPlaylist(input: $input) { id } }',
    { input: { name: 'items', visibility } },
    s.accessToken,
  );
  return r.data?.createPlaylist.id as string;
}

async function read(id: string, s: TestSession = owner, first = 100, after?: string): Promise<Items> {
  const r = await h.gql(GET, { id, first, after }, s.accessToken);
  if (!r.data?.playlist) throw new Error(`cannot read ${id}: ${JSON.stringify(r.errors)}`);
  return r.data.playlist as Items;
}

const trackIds = (p: Items) => p.items.edges.map((e) => e.node.track?.id ?? null);
const itemIds = (p: Items) => p.items.edges.map((e) => e.node.id);

describe('addTracksToPlaylist', () => {
  it('appends, inserts at a position, allows duplicates with distinct stable item IDs', async () => {
    const id = await playlist();
    const [a, b, c, d] = tracks as [string, string, string, string];
    let p = (await h.gql(ADD, { id, t: [a, b] }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    expect(p).toMatchObject({ version: 2, trackCount: 2 });
    p = (await h.gql(ADD, { id, t: [c, a], pos: 1 }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    expect(trackIds(p)).toEqual([a, c, a, b]);
    p = (await h.gql(ADD, { id, t: [d], pos: 0, v: 3 }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    expect(trackIds(p)).toEqual([d, a, c, a, b]);
    expect(p.items.edges.map((e) => e.node.position)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(itemIds(p)).size).toBe(5);
    // Item IDs are stable across changes.
    const before = itemIds(p);
    p = (await h.gql(ADD, { id, t: [b] }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    expect(itemIds(p).slice(0, 5)).toEqual(before);
    expect(p.version).toBe(5);
  });

  it('rejects unknown track IDs with BAD_USER_INPUT and adds nothing', async () => {
    const id = await playlist();
    const ghost = `trk_${randomUUID().slice(0, 8)}`;
    const r = await h.gql(ADD, { id, t: [tracks[0], ghost] }, owner.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'trackIds', unknownTrackIds: [ghost] });
    expect(await read(id)).toMatchObject({ version: 1, trackCount: 0 });
  });

  it.each([
    ['an empty list', []],
    ['an empty ID', ['']],
    ['an ID with spaces', ['a b']],
    ['a 129-character ID', ['t'.repeat(129)]],
    ['an ID with a slash', ['../etc/passwd']],
  ])('rejects %s as malformed without asking library', async (_, t) => {
    const id = await playlist();
    const calls = h.library.calls;
    expect(codeOf(await h.gql(ADD, { id, t }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(h.library.calls).toBe(calls);
  });

  it('rejects positions outside 0..trackCount', async () => {
    const id = await playlist();
    await h.gql(ADD, { id, t: [tracks[0]] }, owner.accessToken);
    for (const pos of [-1, 2, 1_000_000]) {
      const r = await h.gql(ADD, { id, t: [tracks[1]], pos }, owner.accessToken);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'position' });
    }
    expect((await read(id)).trackCount).toBe(1);
  });

  it('holds at most 10,000 items: 10,000 fit, the 10,001st is a clear error, and 10,001 at once too', async () => {
    const many = h.library.add(10_000, 'bulk');
    const id = await playlist();
    const r = await h.gql(ADD, { id, t: many, first: 1 }, owner.accessToken);
    expect(r.errors).toBeUndefined();
    expect(r.data?.addTracksToPlaylist).toMatchObject({ trackCount: 10_000, version: 2 });
    const one = await h.gql(ADD, { id, t: [tracks[0]], first: 1 }, owner.accessToken);
    expect(one.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', limit: 10_000, current: 10_000 } });
    expect(one.errors?.[0]?.message).toMatch(/at most 10000 items/);
    const id2 = await playlist();
    const tooMany = await h.gql(ADD, { id: id2, t: [...many, tracks[0]], first: 1 }, owner.accessToken);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'trackIds' });
    expect((await read(id2, owner, 1)).trackCount).toBe(0);
    // The last page of the big playlist reads fine.
    const page = await read(id, owner, 100, Buffer.from(JSON.stringify([`items:${id}`, 'gone', 9_950])).toString('base64url'));
    expect(page.items.edges).toHaveLength(50);
    expect(page.items.edges[0]?.node.position).toBe(9_950);
  }, 120_000);

  it('fails clearly and adds nothing when library is down or slow', async () => {
    const id = await playlist();
    for (const mode of ['unavailable', 'silent'] as const) {
      h.library.mode = mode;
      try {
        const started = Date.now();
        const r = await h.gql(ADD, { id, t: [tracks[0]] }, owner.accessToken);
        expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 } });
        expect(r.errors?.[0]?.message).toMatch(/library is not reachable/);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        h.library.mode = 'ok';
      }
    }
    expect(await read(id)).toMatchObject({ version: 1, trackCount: 0 });
  });
});

describe('removePlaylistItems and movePlaylistItem', () => {
  it('removes entries by item ID (one of two duplicates) and moves one to an index', async () => {
    const id = await playlist();
    const [a, b, c] = tracks as [string, string, string];
    const p = (await h.gql(ADD, { id, t: [a, b, a, c] }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    const [ia1, ib, ia2, ic] = itemIds(p) as [string, string, string, string];
    let next = (await h.gql(REMOVE, { id, i: [ia1], v: 2 }, owner.accessToken)).data?.removePlaylistItems as Items;
    expect(itemIds(next)).toEqual([ib, ia2, ic]);
    expect(trackIds(next)).toEqual([b, a, c]);
    next = (await h.gql(MOVE, { id, i: ic, to: 0, v: 3 }, owner.accessToken)).data?.movePlaylistItem as Items;
    expect(itemIds(next)).toEqual([ic, ib, ia2]);
    next = (await h.gql(MOVE, { id, i: ic, to: 2 }, owner.accessToken)).data?.movePlaylistItem as Items;
    expect(itemIds(next)).toEqual([ib, ia2, ic]);
    expect(next.version).toBe(5);
  });

  it('rejects unknown item IDs and positions out of range, changing nothing', async () => {
    const id = await playlist();
    const p = (await h.gql(ADD, { id, t: [tracks[0], tracks[1]] }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    const [first] = itemIds(p) as [string];
    const unknown = await h.gql(REMOVE, { id, i: [first, 'AAAAAAAAAAAAAAAA'] }, owner.accessToken);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', unknownItemIds: ['AAAAAAAAAAAAAAAA'] });
    expect(codeOf(await h.gql(REMOVE, { id, i: [] }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(REMOVE, { id, i: ['bad id!'] }, owner.accessToken))).toBe('BAD_USER_INPUT');
    for (const to of [-1, 2, 99]) expect(codeOf(await h.gql(MOVE, { id, i: first, to }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(MOVE, { id, i: 'nope', to: 0 }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect((await read(id)).version).toBe(2);
  });

  it('answers a stale expectedVersion with CONFLICT on every item operation', async () => {
    const id = await playlist();
    const p = (await h.gql(ADD, { id, t: [tracks[0], tracks[1]] }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    const [i0] = itemIds(p) as [string];
    expect(codeOf(await h.gql(ADD, { id, t: [tracks[2]], v: 1 }, owner.accessToken))).toBe('CONFLICT');
    expect(codeOf(await h.gql(REMOVE, { id, i: [i0], v: 1 }, owner.accessToken))).toBe('CONFLICT');
    expect(codeOf(await h.gql(MOVE, { id, i: i0, to: 1, v: 1 }, owner.accessToken))).toBe('CONFLICT');
    expect(trackIds(await read(id))).toEqual([tracks[0], tracks[1]]);
  });

  it('lets exactly one of parallel item writers with the same expectedVersion win', async () => {
    const id = await playlist();
    const results = await Promise.all(tracks.slice(0, 8).map((t) => h.gql(ADD, { id, t: [t], v: 1 }, owner.accessToken)));
    expect(results.filter((r) => r.data?.addTracksToPlaylist)).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(7);
    expect(await read(id)).toMatchObject({ version: 2, trackCount: 1 });
    // Without expectedVersion nothing is lost: every writer lands.
    const all = await Promise.all(tracks.slice(0, 6).map((t) => h.gql(ADD, { id, t: [t] }, owner.accessToken)));
    expect(all.every((r) => r.data?.addTracksToPlaylist)).toBe(true);
    expect(await read(id)).toMatchObject({ version: 8, trackCount: 7 });
  });
});

describe('authorization of item operations', () => {
  it('PRIVATE playlist of someone else: NOT_FOUND; PUBLIC: FORBIDDEN; ADMIN: allowed; anonymous: UNAUTHENTICATED', async () => {
    const priv = await playlist(owner, 'PRIVATE');
    const pub = await playlist(owner, 'PUBLIC');
    const p = (await h.gql(ADD, { id: pub, t: [tracks[0]] }, owner.accessToken)).data?.addTracksToPlaylist as Items;
    const item = itemIds(p)[0]!;
    const calls = h.library.calls;
    for (const [target, code] of [
      [priv, 'NOT_FOUND'],
      [pub, 'FORBIDDEN'],
    ] as const) {
      expect(codeOf(await h.gql(ADD, { id: target, t: [tracks[1]] }, other.accessToken))).toBe(code);
      expect(codeOf(await h.gql(REMOVE, { id: target, i: [item] }, other.accessToken))).toBe(code);
      expect(codeOf(await h.gql(MOVE, { id: target, i: item, to: 0 }, other.accessToken))).toBe(code);
    }
    // Denied before asking library which tracks exist.
    expect(h.library.calls).toBe(calls);
    expect(codeOf(await h.gql(ADD, { id: pub, t: [tracks[1]] }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(ADD, { id: priv, t: [tracks[1]] }, admin.accessToken)).data?.addTracksToPlaylist.trackCount).toBe(1);
    expect((await read(pub, other)).trackCount).toBe(1);
  });
});

describe('items pagination', () => {
  it('pages in playlist order with cursors and positions; first outside 1..100 is BAD_USER_INPUT', async () => {
    const id = await playlist();
    await h.gql(ADD, { id, t: tracks.slice(0, 10) }, owner.accessToken);
    const p1 = await read(id, owner, 4);
    expect(p1.items).toMatchObject({ totalCount: 10, pageInfo: { hasNextPage: true } });
    const p2 = await read(id, owner, 4, p1.items.pageInfo.endCursor!);
    const p3 = await read(id, owner, 4, p2.items.pageInfo.endCursor!);
    expect([...trackIds(p1), ...trackIds(p2), ...trackIds(p3)]).toEqual(tracks.slice(0, 10));
    expect(p3.items.edges.map((e) => e.node.position)).toEqual([8, 9]);
    expect(p3.items.pageInfo.hasNextPage).toBe(false);
    for (const first of [0, 101]) expect(codeOf(await h.gql(GET, { id, first }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(GET, { id, after: 'not-a-cursor' }, owner.accessToken))).toBe('BAD_USER_INPUT');
  });
});

describe('tracks that leave the library', () => {
  it('show track: null (the item stays) after library.track.removed, and come back after library.track.added', async () => {
    const id = await playlist();
    const [keep, gone] = h.library.add(2, 'leaving') as [string, string];
    await h.gql(ADD, { id, t: [keep, gone, gone] }, owner.accessToken);
    await h.publishLibraryEvent('library.track.removed', gone);
    const after = await waitFor(
      async () => {
        const p = await read(id);
        return trackIds(p)[1] === null ? p : undefined;
      },
      20_000,
      100,
      'track null',
    );
    expect(trackIds(after)).toEqual([keep, null, null]);
    expect(after.trackCount).toBe(3);
    await h.publishLibraryEvent('library.track.added', gone);
    await waitFor(async () => trackIds(await read(id))[1] === gone, 20_000, 100, 'track back');
  });
});

describe('GET /playlists/<id>.m3u8', () => {
  const get = (id: string, token?: string) => fetch(`${h.url}/playlists/${id}.m3u8`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('exports titles and durations in playlist order, with the same authorization as the playlist query', async () => {
    const id = await playlist(owner, 'PRIVATE');
    const [a, b] = tracks as [string, string];
    await h.gql(ADD, { id, t: [b, a] }, owner.accessToken);
    const r = await get(id, owner.accessToken);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/x-mpegurl; charset=utf-8');
    const body = await r.text();
    const lines = body.trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines[1]).toBe('#PLAYLIST:items');
    const tb = h.library.tracks.get(b)!;
    expect(lines[2]).toBe(`#EXTINF:${Math.round(tb.durationSeconds)},Artist A, Artist B - ${tb.title}`);
    // The file's path relative to the music folder (from library's BatchGetTracks), not an ID.
    expect(lines[3]).toBe(tb.relativePath);
    expect(lines[3]).toMatch(/^Artist A\/Album\/\d\d trk_\w+\.flac$/);
    expect(lines[5]).toBe(h.library.tracks.get(a)!.relativePath);
    expect((await get(id, admin.accessToken)).status).toBe(200);
    expect((await get(id, other.accessToken)).status).toBe(404);
    expect((await get(id)).status).toBe(401);
    expect((await get(id, 'not.a.jwt')).status).toBe(401);
    expect((await get(randomUUID(), owner.accessToken)).status).toBe(404);
    expect((await get('garbage', owner.accessToken)).status).toBe(404);
  });

  it('marks removed tracks as comments and answers 503 when library is down', async () => {
    const id = await playlist(owner, 'PUBLIC');
    const [stay, vanish] = h.library.add(2, 'm3u') as [string, string];
    await h.gql(ADD, { id, t: [stay, vanish] }, owner.accessToken);
    h.library.tracks.delete(vanish);
    const text = await (await get(id, other.accessToken)).text();
    expect(text).toContain(`# ${vanish}: no longer in the library`);
    expect(text).toContain(`\n${h.library.tracks.get(stay)!.relativePath}\n`);
    h.library.mode = 'unavailable';
    try {
      const r = await get(id, other.accessToken);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      h.library.mode = 'ok';
    }
  });
});
