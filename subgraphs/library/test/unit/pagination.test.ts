import { describe, expect, it } from '@jest/globals';
import { paginate, type Listing, type Page, type SortKey } from '../../src/domain/pagination.js';

const end = (page: Page) => page.edges.at(-1)?.cursor;

function listing(entries: [string, string][]): Listing {
  const keys = new Map<string, SortKey>(entries.map(([k, id]) => [id, [k, id]]));
  return { ids: entries.map(([, id]) => id), keyOf: (id) => keys.get(id)! };
}
const list = listing(['a', 'b', 'c', 'd', 'e'].map((k, i) => [k, `id${i}`]));

describe('pagination', () => {
  it('walks a list forwards and backwards with keyset cursors', () => {
    const p1 = paginate(list, 's', { first: 2 });
    expect(p1.edges.map((e) => e.node)).toEqual(['id0', 'id1']);
    expect(p1).toMatchObject({ hasNextPage: true, totalCount: 5 });
    const p2 = paginate(list, 's', { first: 2, after: end(p1) });
    expect(p2.edges.map((e) => e.node)).toEqual(['id2', 'id3']);
    const p3 = paginate(list, 's', { first: 2, after: end(p2) });
    expect(p3.edges.map((e) => e.node)).toEqual(['id4']);
    expect(p3.hasNextPage).toBe(false);
    const d1 = paginate(list, 's', { first: 3 }, true);
    expect(d1.edges.map((e) => e.node)).toEqual(['id4', 'id3', 'id2']);
    expect(paginate(list, 's', { first: 3, after: end(d1) }, true).edges.map((e) => e.node)).toEqual(['id1', 'id0']);
  });

  it('keeps a page boundary when items are inserted before it', () => {
    const p1 = paginate(list, 's', { first: 2 });
    const grown = listing([['a0', 'new'], ...['a', 'b', 'c', 'd', 'e'].map((k, i): [string, string] => [k, `id${i}`])]);
    expect(paginate(grown, 's', { first: 2, after: end(p1) }).edges.map((e) => e.node)).toEqual(['id2', 'id3']);
  });
});
