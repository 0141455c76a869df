// Proves the API batches: the number of store queries and of catalogue lookups for a page of
// tracks with album, album artist, artists and cover art does not grow with the page size.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { generate } from '../../../../bench/library/generate-corpus.mjs';
import { startLibrary, type Harness } from './harness.js';

jest.setTimeout(120_000);

let h: Harness;
const dbQueries: string[] = [];
const batchCalls: Record<string, number> = {};

const PAGE = `query($first: Int) { tracks(first: $first, sort: ARTIST) { totalCount edges { node {
  id title coverArt { url }
  artists { id name coverArt { url } }
  album { id title year trackCount coverArt { url width } artist { id name albumCount } }
} } } }`;

async function measure(first: number): Promise<{ db: string[]; calls: Record<string, number>; nodes: number }> {
  dbQueries.length = 0;
  for (const k of Object.keys(batchCalls)) delete batchCalls[k];
  const r = await h.gql(PAGE, { first });
  expect(r.errors).toBeUndefined();
  return { db: [...dbQueries], calls: { ...batchCalls }, nodes: r.data!.tracks.edges.length };
}

beforeAll(async () => {
  h = await startLibrary();
  generate(h.musicDir, 240, { tracksPerAlbum: 12, seed: 7 });
  await h.scan();
  // Every call the resolvers make into the read side, by method.
  const library = h.lib.library as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['tracksByIds', 'albumsByIds', 'artistsByIds', 'imagesByIds', 'albumSummaries', 'albumTrackIds', 'artistCounts']) {
    const original = library[name]!.bind(library);
    library[name] = (...args: unknown[]) => {
      batchCalls[name] = (batchCalls[name] ?? 0) + 1;
      return original(...args);
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

describe('dataloaders', () => {
  it('answer a page of 100 tracks with as many lookups as a page of 10, and no database query', async () => {
    const small = await measure(10);
    const large = await measure(100);
    expect(small.nodes).toBe(10);
    expect(large.nodes).toBe(100);
    expect(large.calls).toEqual(small.calls);
    // One batch per entity kind and field family (artists twice: track artists, then album artists): a small constant.
    expect(Math.max(...Object.values(large.calls))).toBeLessThanOrEqual(2);
    expect(Object.values(large.calls).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10);
    // Reads are served from the catalogue kept in step with the database (see README).
    expect(large.db).toEqual(small.db);
    expect(large.db).toEqual([]);
  });

  it('batch entity references from the router the same way', async () => {
    const ids = [...h.lib.catalogue.tracks.keys()].slice(0, 100);
    for (const k of Object.keys(batchCalls)) delete batchCalls[k];
    const r = await h.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Track { id album { title artist { name } } artists { name } } } }', {
      r: ids.map((id) => ({ __typename: 'Track', id })),
    });
    expect(r.data!._entities).toHaveLength(100);
    expect(batchCalls).toEqual({ tracksByIds: 1, albumsByIds: 1, artistsByIds: 2 });
  });
});
