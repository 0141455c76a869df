import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@ytm/errors';
import {
  canRead,
  canWrite,
  insertItems,
  moveItem,
  normaliseDescription,
  normaliseName,
  removeItems,
  type Playlist,
  type PlaylistItem,
} from '../../src/domain/playlist.js';
import { renderM3u8 } from '../../src/http/m3u8.format.js';

const at = new Date('2026-01-01T00:00:00Z');
const items = (...ids: string[]): PlaylistItem[] => ids.map((id) => ({ id, trackId: `t-${id}`, addedAt: at }));
const ids = (xs: PlaylistItem[]) => xs.map((x) => x.id);
const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'other';
  }
  return 'none';
};

describe('item operations', () => {
  it('inserts at a position, at the end by default, all or nothing', () => {
    expect(ids(insertItems(items('a', 'b'), items('x', 'y'), 1))).toEqual(['a', 'x', 'y', 'b']);
    expect(ids(insertItems(items('a'), items('x'), undefined))).toEqual(['a', 'x']);
    expect(ids(insertItems([], items('x'), 0))).toEqual(['x']);
    expect(code(() => insertItems(items('a'), items('x'), 2))).toBe('BAD_USER_INPUT');
    expect(code(() => insertItems(items('a'), items('x'), -1))).toBe('BAD_USER_INPUT');
    expect(code(() => insertItems(items('a'), items('x'), 0.5))).toBe('BAD_USER_INPUT');
  });

  it('caps a playlist at 10,000 items', () => {
    const full = Array.from({ length: 9_999 }, (_, i) => ({ id: `i${i}`, trackId: 't', addedAt: at }));
    expect(insertItems(full, items('x'), undefined)).toHaveLength(10_000);
    expect(code(() => insertItems(full, items('x', 'y'), undefined))).toBe('BAD_USER_INPUT');
  });

  it('moves an item to an index in both directions', () => {
    const xs = items('a', 'b', 'c', 'd');
    expect(ids(moveItem(xs, 'a', 3))).toEqual(['b', 'c', 'd', 'a']);
    expect(ids(moveItem(xs, 'd', 0))).toEqual(['d', 'a', 'b', 'c']);
    expect(ids(moveItem(xs, 'b', 1))).toEqual(['a', 'b', 'c', 'd']);
    expect(code(() => moveItem(xs, 'a', 4))).toBe('BAD_USER_INPUT');
    expect(code(() => moveItem(xs, 'z', 0))).toBe('BAD_USER_INPUT');
  });

  it('removes by item ID, duplicates of a track kept apart, unknown IDs fail the whole call', () => {
    const xs: PlaylistItem[] = [
      { id: 'a', trackId: 'same', addedAt: at },
      { id: 'b', trackId: 'same', addedAt: at },
    ];
    expect(ids(removeItems(xs, ['a']))).toEqual(['b']);
    expect(ids(removeItems(xs, ['a', 'a', 'b']))).toEqual([]);
    expect(code(() => removeItems(xs, ['a', 'nope']))).toBe('BAD_USER_INPUT');
  });
});

describe('names and access', () => {
  it('normalises names and descriptions', () => {
    expect(normaliseName('  Mix  ')).toBe('Mix');
    expect(code(() => normaliseName(' '))).toBe('BAD_USER_INPUT');
    expect(normaliseName('🎵'.repeat(200))).toHaveLength(400); // 200 characters, 400 UTF-16 units
    expect(code(() => normaliseName('🎵'.repeat(201)))).toBe('BAD_USER_INPUT');
    expect(normaliseDescription('  ')).toBeNull();
    expect(normaliseDescription('line 1\nline 2')).toBe('line 1\nline 2');
    expect(code(() => normaliseDescription('bell\u0007'))).toBe('BAD_USER_INPUT');
  });

  it('reads PUBLIC for all, PRIVATE for owner and ADMIN; writes for owner and ADMIN', () => {
    const viewer = (id: string, role: 'USER' | 'ADMIN' = 'USER') => ({ id, sessionId: 's', role, plan: { tier: 'FREE' as const, expiresAt: null } });
    const priv = { ownerId: 'o', visibility: 'PRIVATE' as const };
    expect([canRead(viewer('o'), priv), canRead(viewer('x'), priv), canRead(viewer('x', 'ADMIN'), priv)]).toEqual([true, false, true]);
    expect(canRead(viewer('x'), { ...priv, visibility: 'PUBLIC' })).toBe(true);
    expect([canWrite(viewer('o'), priv), canWrite(viewer('x'), priv), canWrite(viewer('x', 'ADMIN'), priv)]).toEqual([true, false, true]);
  });
});

describe('renderM3u8', () => {
  it('writes extended M3U, one line per field, removed tracks as comments', () => {
    const playlist: Playlist = {
      id: 'p',
      ownerId: 'o',
      name: 'Night\nDrive',
      description: null,
      visibility: 'PUBLIC',
      version: 2,
      items: items('1', '2'),
      createdAt: at,
      updatedAt: at,
    };
    const tracks = new Map([
      ['t-1', { id: 't-1', title: 'Song\r\nTwo', durationSeconds: 201.6, albumTitle: 'A', artistNames: ['X', 'Y'], relativePath: 'X/A/01 Song Two.flac' }],
    ]);
    expect(renderM3u8(playlist, tracks, 'https://ytm.example/t/{id}')).toBe(
      '#EXTM3U\n#PLAYLIST:Night Drive\n#EXTINF:202,X, Y - Song Two\nX/A/01 Song Two.flac\n# t-2: no longer in the library\n',
    );
    // A library that gives no path (older version): the entry URL instead.
    const pathless = new Map([['t-1', { ...tracks.get('t-1')!, relativePath: null }]]);
    expect(renderM3u8({ ...playlist, items: items('1') }, pathless, 'https://ytm.example/t/{id}')).toBe(
      '#EXTM3U\n#PLAYLIST:Night Drive\n#EXTINF:202,X, Y - Song Two\nhttps://ytm.example/t/t-1\n',
    );
  });
});
