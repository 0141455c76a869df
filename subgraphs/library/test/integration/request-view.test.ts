// Proves the API answers from the catalogue: no store query for a page of tracks with album,
// album artist, artists and cover art, and each entity read from the catalogue once per request
// (what one answer shows of an entity is one version of it, whatever a rescan does meanwhile).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { generate } from '../../../../bench/library/generate-corpus.mjs';
import { startLibrary, type Harness } from './harness.js';

jest.setTimeout(120_000);

let h: Harness;
const dbQueries: string[] = [];
/** Every id the resolvers asked the read side for, by method. */
const asked: Record<string, string[]> = {};

const PAGE = `query($first: Int) { tracks(first: $first, sort: ARTIST) { totalCount edges { node {
  id title coverArt { url }
  artists { id name coverArt { url } }
  album { id title year trackCount coverArt { url width } artist { id name albumCount } }
} } } }`;

interface PageNode {
  id: string;
  artists: Array<{ id: string }>;
  album: { id: string; artist: { id: string } };
}

const distinct = (xs: string[]) => new Set(xs).size;

beforeAll(async () => {
  h = await startLibrary();
  generate(h.musicDir, 240, { tracksPerAlbum: 12, seed: 7 });
  await h.scan();
  const library = h.lib.library as unknown as Record<string, (ids: readonly string[]) => unknown>;
  for (const name of ['tracksByIds', 'albumsByIds', 'artistsByIds', 'imagesByIds', 'albumSummaries', 'albumTrackIds', 'artistCounts']) {
    const original = library[name]!.bind(library);
    library[name] = (ids: readonly string[]) => {
      (asked[name] ??= []).push(...ids);
      return original(ids);
    };
  }
  // The outbox relay polls in the background; it is not part of answering a request.
  await h.lib.relay.stop();
  mongoose.set('debug', (collection: string, method: string) => dbQueries.push(`${collection}.${method}`));
});

afterAll(async () => {
  mongoose.set('debug', false);
  await h?.close();
});

const reset = () => {
  dbQueries.length = 0;
  for (const k of Object.keys(asked)) delete asked[k];
};

describe('request views', () => {
  it('answer a page of 100 tracks from the catalogue, each entity read once, no database query', async () => {
    reset();
    const r = await h.gql(PAGE, { first: 100 });
    expect(r.errors).toBeUndefined();
    const nodes = (r.data!.tracks.edges as Array<{ node: PageNode }>).map((e) => e.node);
    expect(nodes).toHaveLength(100);
    const albums = nodes.map((n) => n.album.id);
    const artists = [...nodes.flatMap((n) => n.artists.map((a) => a.id)), ...nodes.map((n) => n.album.artist.id)];
    expect(asked.tracksByIds).toHaveLength(100);
    expect(distinct(asked.tracksByIds!)).toBe(100);
    // Twelve tracks share an album and its artist: each is read once for all of them.
    expect(asked.albumsByIds).toHaveLength(distinct(albums));
    expect(distinct(albums)).toBeLessThan(20);
    expect(asked.artistsByIds).toHaveLength(distinct(artists));
    expect(asked.albumSummaries).toHaveLength(distinct(albums));
    expect(asked.artistCounts).toHaveLength(distinct(artists));
    for (const ids of Object.values(asked)) expect(ids).toHaveLength(distinct(ids));
    // Reads are served from the catalogue kept in step with the database (see README).
    expect(dbQueries).toEqual([]);
  });

  it('answer entity references from the router the same way', async () => {
    const ids = [...h.lib.catalogue.tracks.keys()].slice(0, 100);
    reset();
    const r = await h.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Track { id album { title artist { name } } artists { name } } } }', {
      r: ids.map((id) => ({ __typename: 'Track', id })),
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities).toHaveLength(100);
    expect(Object.keys(asked).sort()).toEqual(['albumsByIds', 'artistsByIds', 'tracksByIds']);
    expect(asked.tracksByIds).toEqual(ids);
    for (const read of Object.values(asked)) expect(read).toHaveLength(distinct(read));
    expect(dbQueries).toEqual([]);
  });
});
