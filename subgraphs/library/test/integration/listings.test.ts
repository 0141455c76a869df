// The library pages across a rescan (real files, FerretDB, Kafka): the listings kept in order as
// tracks are added, removed, retagged and moved to other albums walk in the same order as a
// freshly started library sorts them; a cursor from before the rescan goes on where its key
// was; bad cursors are refused with BAD_USER_INPUT and change nothing.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { makeAudio } from './corpus.js';
import { startLibrary, type Harness } from './harness.js';

jest.setTimeout(180_000);

let h: Harness;
const TRACK_SORTS = ['TITLE', 'ARTIST', 'ALBUM', 'ADDED_AT', 'YEAR', 'DURATION'];
const ALBUM_SORTS = ['TITLE', 'ARTIST', 'YEAR', 'ADDED_AT'];
const LISTS = [
  ...TRACK_SORTS.flatMap((sort) => ['ASC', 'DESC'].map((direction) => ({ field: 'tracks', sort, direction }))),
  ...ALBUM_SORTS.flatMap((sort) => ['ASC', 'DESC'].map((direction) => ({ field: 'albums', sort, direction }))),
  { field: 'artists', sort: undefined, direction: undefined },
];
type List = (typeof LISTS)[number];

async function page(list: List, after: string | null, first = 4) {
  const args = list.sort ? `first: $first, after: $after, sort: ${list.sort}, direction: ${list.direction}` : 'first: $first, after: $after';
  const r = await h.gql(
    `query($first: Int, $after: String) { ${list.field}(${args}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
    {
      first,
      after,
    },
  );
  return r;
}

/** Every ID of a list, walked page by page from `after`. */
async function walk(list: List, after: string | null = null): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const r = await page(list, after);
    expect(r.errors).toBeUndefined();
    const c = r.data![list.field];
    ids.push(...c.edges.map((e: any) => e.node.id));
    if (!c.pageInfo.hasNextPage) return ids;
    after = c.pageInfo.endCursor;
  }
}

const walkAll = async () => Promise.all(LISTS.map((l) => walk(l)));
const tags = (title: string, artist: string, album: string, track: string, date: string) => ({ title, artist, album_artist: artist, album, track, date });

beforeAll(async () => {
  h = await startLibrary();
  const files: [string, ReturnType<typeof tags>][] = [
    ['a/1.mp3', tags('Zebra Crossing', 'The Walkers', 'Roads', '1', '2001')],
    ['a/2.mp3', tags('Avenue', 'The Walkers', 'Roads', '2', '2001')],
    ['a/3.mp3', tags('Lane', 'The Walkers', 'Roads', '3', '2001')],
    ['b/1.mp3', tags('Été', 'Bérénice', 'Saisons', '1', '1999')],
    ['b/2.mp3', tags('Hiver', 'Bérénice', 'Saisons', '2', '1999')],
    ['c/1.mp3', tags('Alpha', 'Omega Band', 'Letters', '1', '2010')],
    ['c/2.mp3', tags('Beta', 'Omega Band', 'Letters', '2', '2010')],
    ['c/3.mp3', tags('Gamma', 'Omega Band', 'Letters', '3', '2010')],
    ['d/1.mp3', tags('Untitled', 'Solo', 'Demo', '1', '1985')],
  ];
  await Promise.all(files.map(([path, t], i) => makeAudio(h.musicDir, { path, tags: t, seconds: 1 + (i % 3) })));
  expect(await h.scan()).toMatchObject({ tracksAdded: 9, errors: 0 });
});

afterAll(async () => {
  await h?.close();
});

describe('library pages across a rescan', () => {
  it('keep the order a fresh start gives, and old cursors go on after their key', async () => {
    const before = await walkAll();
    // A cursor into each list (after its first two items), taken before the rescan.
    const cursors = await Promise.all(LISTS.map(async (l) => (await page(l, null, 2)).data![l.field].pageInfo.endCursor as string));
    await Promise.all([
      makeAudio(h.musicDir, { path: 'a/4.mp3', tags: tags('Boulevard', 'The Walkers', 'Roads', '4', '1990') }),
      makeAudio(h.musicDir, { path: 'e/1.mp3', tags: tags('Aardvark', 'Newcomer', 'First Steps', '1', '2024') }),
      makeAudio(h.musicDir, { path: 'c/2.mp3', tags: tags('Beta (Live)', 'Omega Band', 'Letters', '2', '2010') }),
      // Moved to another album by another artist: its album and artist sorts change.
      makeAudio(h.musicDir, { path: 'b/2.mp3', tags: tags('Hiver', 'Solo', 'Demo', '2', '1985') }),
      rm(join(h.musicDir, 'a/1.mp3')),
      rm(join(h.musicDir, 'c/3.mp3')),
    ]);
    expect(await h.scan()).toMatchObject({ tracksAdded: 2, tracksRemoved: 2, errors: 0 });
    const after = await walkAll();
    expect(after).not.toEqual(before);
    const tails = await Promise.all(LISTS.map((l, i) => walk(l, cursors[i]!)));

    h = await h.restart();
    const fresh = await walkAll();
    expect(after).toEqual(fresh);
    for (const [i, tail] of tails.entries()) {
      // What follows a cursor is the end of the list as it is now.
      expect(tail).toEqual(fresh[i]!.slice(fresh[i]!.length - tail.length));
      expect(tail.length).toBeGreaterThan(0);
    }
  });

  it('refuses bad cursors with BAD_USER_INPUT and changes nothing', async () => {
    const before = await walkAll();
    const tracksCursor = (await page(LISTS[0]!, null)).data!.tracks.pageInfo.endCursor as string;
    const bad: [List, string][] = [
      [LISTS[0]!, 'nonsense'],
      [LISTS[0]!, tracksCursor.slice(0, -3)],
      [LISTS[0]!, 'x'.repeat(600)],
      [LISTS[0]!, Buffer.from(JSON.stringify(['t:TITLE:[null,null,null,null,null]', { not: 'a key' }])).toString('base64url')],
      // A cursor of another sort, and of another list.
      [LISTS[2]!, tracksCursor],
      [LISTS.find((l) => l.field === 'albums')!, tracksCursor],
      [LISTS.at(-1)!, tracksCursor],
    ];
    for (const [list, cursor] of bad) {
      const r = await page(list, cursor);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toBe('after is not a cursor of this list');
      expect(r.data ?? null).toBeNull();
    }
    expect(await walkAll()).toEqual(before);
  });
});
