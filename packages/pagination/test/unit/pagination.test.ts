import { describe, expect, it } from '@jest/globals';
import { BadUserInputError } from '@ytm/errors';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../../src/index.js';

describe('pageSize: the contract’s `first` rules', () => {
  it('defaults to 25 (or the field’s own default) and accepts 1..100', () => {
    expect(pageSize(undefined)).toBe(25);
    expect(pageSize(null)).toBe(25);
    expect(pageSize(undefined, 100)).toBe(100);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
  });

  it('refuses 0, negatives, over 100 and fractions as BAD_USER_INPUT on first, never clamping', () => {
    for (const bad of [0, -1, 101, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        pageSize(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BadUserInputError);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' });
    }
  });
});

describe('cursors', () => {
  it('round-trip the key of their own list', () => {
    expect(decodeCursor('s', encodeCursor('s', ['a', 3]))).toEqual(['a', 3]);
    expect(decodeCursor('s', encodeCursor('s', [7, 'id']), ['number', 'string'])).toEqual([7, 'id']);
  });

  it('are opaque (no readable key inside)', () => {
    expect(encodeCursor('playlists', ['secret-id'])).not.toContain('secret-id');
  });

  it('refuse garbage, another list’s cursor, a wrong shape and overlong input as BAD_USER_INPUT on after', () => {
    const bad = [
      () => decodeCursor('s', 'garbage!'),
      () => decodeCursor('s', ''),
      () => decodeCursor('s', encodeCursor('other', ['a'])),
      () => decodeCursor('s', Buffer.from('["s",{"x":1}]').toString('base64url')),
      () => decodeCursor('s', Buffer.from('{"s":1}').toString('base64url')),
      () => decodeCursor('s', encodeCursor('s', ['a', 'b']), ['number', 'string']),
      () => decodeCursor('s', encodeCursor('s', [1]), ['number', 'string']),
      () => decodeCursor('s', encodeCursor('s', ['x'.repeat(600)])),
    ];
    for (const decode of bad) expect(decode).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', message: 'after is not a cursor of this list' }));
  });
});

describe('toConnection', () => {
  it('ends at the last edge’s cursor, or null when empty', () => {
    const edges = [
      { cursor: 'c1', node: 1 },
      { cursor: 'c2', node: 2 },
    ];
    expect(toConnection({ edges, hasNextPage: true, totalCount: 5 })).toEqual({ edges, pageInfo: { hasNextPage: true, endCursor: 'c2' }, totalCount: 5 });
    expect(toConnection({ edges: [], hasNextPage: false, totalCount: 0 }).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
