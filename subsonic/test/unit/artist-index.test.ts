import { describe, expect, it } from '@jest/globals';
import { ArtistIndex } from '../../src/ytm/artist-index.js';

/** A GraphQL stand-in answering one page of artists named after how many times it was asked. */
function fakeQuery() {
  const calls = { n: 0, release: () => undefined as void };
  let gate: Promise<void> = Promise.resolve();
  const query = async <T>(): Promise<T> => {
    calls.n += 1;
    const name = `v${calls.n}`;
    await gate;
    return {
      artists: {
        totalCount: 1,
        pageInfo: { hasNextPage: false, endCursor: null },
        edges: [{ node: { id: 'ar_1', name, sortName: name, albumCount: 1, coverArt: null } }],
      },
    } as T;
  };
  const hold = () => {
    gate = new Promise((r) => (calls.release = r));
  };
  return { query, calls, hold };
}

describe('the artist index', () => {
  it('serves an aged list while one refresh runs in the background', async () => {
    const index = new ArtistIndex(0);
    const q = fakeQuery();
    expect((await index.all(q.query))[0]?.name).toBe('v1');
    q.hold();
    const [a, b] = await Promise.all([index.all(q.query), index.all(q.query)]);
    expect([a[0]?.name, b[0]?.name]).toEqual(['v1', 'v1']);
    expect(q.calls.n).toBe(2);
    q.calls.release();
    await new Promise((r) => setImmediate(r));
    // The refresh landed: the next request gets it at once (and, the list aged again, starts another).
    expect((await index.all(q.query))[0]?.name).toBe('v2');
  });

  it('after a library change the next request waits for the new list', async () => {
    const index = new ArtistIndex(60_000);
    const q = fakeQuery();
    await index.all(q.query);
    index.invalidate();
    expect((await index.all(q.query))[0]?.name).toBe('v2');
    expect((await index.all(q.query))[0]?.name).toBe('v2');
    expect(q.calls.n).toBe(2);
  });
});
