import { describe, expect, it } from '@jest/globals';
import { BadUserInputError } from '@ytm/errors';
import { decodeCursor, encodeCursor, pageSize, paginate, type Listing, type SortKey } from '../../src/domain/pagination.js';

function listing(entries: [string, string][]): Listing {
  const keys = new Map<string, SortKey>(entries.map(([k, id]) => [id, [k, id]]));
  return { ids: entries.map(([, id]) => id), keyOf: (id) => keys.get(id)! };
}
const list = listing(['a', 'b', 'c', 'd', 'e'].map((k, i) => [k, `id${i}`]));

describe('pagination', () => {
  it('accepts first in 1..100 and rejects the rest', () => {
    expect(pageSize(undefined)).toBe(25);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, -1, 101, 2.5]) expect(() => pageSize(bad)).toThrow(BadUserInputError);
  });

  it('walks a list forwards and backwards with keyset cursors', () => {
    const p1 = paginate(list, 's', { first: 2 });
    expect(p1.edges.map((e) => e.id)).toEqual(['id0', 'id1']);
    expect(p1).toMatchObject({ hasNextPage: true, totalCount: 5 });
    const p2 = paginate(list, 's', { first: 2, after: p1.endCursor });
    expect(p2.edges.map((e) => e.id)).toEqual(['id2', 'id3']);
    const p3 = paginate(list, 's', { first: 2, after: p2.endCursor });
    expect(p3.edges.map((e) => e.id)).toEqual(['id4']);
    expect(p3.hasNextPage).toBe(false);
    const d1 = paginate(list, 's', { first: 3 }, true);
    expect(d1.edges.map((e) => e.id)).toEqual(['id4', 'id3', 'id2']);
    expect(paginate(list, 's', { first: 3, after: d1.endCursor }, true).edges.map((e) => e.id)).toEqual(['id1', 'id0']);
  });

  it('keeps a page boundary when items are inserted before it', () => {
    const p1 = paginate(list, 's', { first: 2 });
    const grown = listing([['a0', 'new'], ...['a', 'b', 'c', 'd', 'e'].map((k, i): [string, string] => [k, `id${i}`])]);
    expect(paginate(grown, 's', { first: 2, after: p1.endCursor }).edges.map((e) => e.id)).toEqual(['id2', 'id3']);
  });

  it('rejects malformed cursors and cursors of another list', () => {
    expect(() => decodeCursor('s', 'garbage!')).toThrow(BadUserInputError);
    expect(() => decodeCursor('s', encodeCursor('other', ['a']))).toThrow(BadUserInputError);
    expect(() => decodeCursor('s', Buffer.from('["s",{"x":1}]').toString('base64url'))).toThrow(BadUserInputError);
    expect(decodeCursor('s', encodeCursor('s', ['a', 3]))).toEqual(['a', 3]);
  });
});
