import { describe, expect, it } from '@jest/globals';
import type { Viewer } from '@ytm/auth';
import { itemPage, type Playlist, type PlaylistItem, type PlaylistSummary } from '../../src/domain/playlist.js';
import { PlaylistService } from '../../src/domain/playlist.service.js';
import type { PlaylistRepository } from '../../src/domain/ports.js';

const at = new Date('2026-01-01T00:00:00Z');
const items = (...ids: string[]): PlaylistItem[] => ids.map((id) => ({ id, trackId: `t-${id}`, addedAt: at }));
const viewer = (id: string, role: Viewer['role'] = 'USER'): Viewer => ({ id, sessionId: 's', role, plan: { tier: 'FREE', expiresAt: null } });
const end = (page: { edges: { cursor: string }[] }) => page.edges.at(-1)?.cursor;

describe('itemPage: items in order, 100 by default, cursors that survive edits', () => {
  const list = items('a', 'b', 'c', 'd', 'e');

  it('pages in order with positions', () => {
    const p1 = itemPage('p1', list, { first: 2 });
    expect(p1.edges.map((e) => [e.node.id, e.node.position])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(p1).toMatchObject({ hasNextPage: true, totalCount: 5 });
    const p3 = itemPage('p1', list, { first: 2, after: end(itemPage('p1', list, { first: 2, after: end(p1) })) });
    expect(p3.edges.map((e) => e.node.id)).toEqual(['e']);
    expect(p3.hasNextPage).toBe(false);
    expect(itemPage('p1', list, {}).edges).toHaveLength(5);
  });

  it('continues after the cursor’s item when items moved, and at its old position when it was removed', () => {
    const p1 = itemPage('p1', list, { first: 2 });
    expect(itemPage('p1', items('x', 'a', 'b', 'c', 'd', 'e'), { first: 2, after: end(p1) }).edges.map((e) => e.node.id)).toEqual(['c', 'd']);
    expect(itemPage('p1', items('a', 'c', 'd', 'e'), { first: 2, after: end(p1) }).edges.map((e) => e.node.id)).toEqual(['c', 'd']);
  });

  it('refuses bad `first`, garbage cursors and another playlist’s cursor as BAD_USER_INPUT', () => {
    const other = end(itemPage('p2', list, { first: 1 }));
    for (const args of [{ first: 0 }, { first: 101 }, { after: 'garbage!' }, { after: other }]) {
      expect(() => itemPage('p1', list, args)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    }
  });
});

describe('PlaylistService reading rules', () => {
  const summary = (id: string, ownerId: string, visibility: Playlist['visibility'], n: number): PlaylistSummary => ({
    id,
    ownerId,
    name: id,
    description: null,
    visibility,
    version: 1,
    trackCount: 0,
    createdAt: new Date(at.getTime() + n),
    updatedAt: at,
  });
  const rows = [summary('p3', 'alice', 'PUBLIC', 3), summary('p2', 'alice', 'PRIVATE', 2), summary('p1', 'alice', 'PUBLIC', 1)];
  const asked: Parameters<PlaylistRepository['listByOwner']>[1][] = [];
  /** Newest first, as the repository promises. */
  const store = {
    listByOwner: async (ownerId: string, options: Parameters<PlaylistRepository['listByOwner']>[1]) => {
      asked.push(options);
      const visible = rows.filter((p) => p.ownerId === ownerId && (!options.publicOnly || p.visibility === 'PUBLIC'));
      const after = options.after;
      const rest = after ? visible.filter((p) => p.createdAt < after.createdAt) : visible;
      return { playlists: rest.slice(0, options.first), hasNextPage: rest.length > options.first, totalCount: visible.length };
    },
  } as unknown as PlaylistRepository;
  const service = new PlaylistService({ playlists: store, tracks: { getTracks: async () => new Map() }, clock: { now: () => at } });

  it('shows a user all their own playlists, administrators all, others the PUBLIC ones only', async () => {
    const ids = async (v: Viewer) => (await service.ownedBy(v, 'alice', {})).edges.map((e) => e.node.id);
    expect(await ids(viewer('alice'))).toEqual(['p3', 'p2', 'p1']);
    expect(await ids(viewer('root', 'ADMIN'))).toEqual(['p3', 'p2', 'p1']);
    expect(await ids(viewer('bob'))).toEqual(['p3', 'p1']);
    expect(asked.map((o) => o.publicOnly)).toEqual([false, false, true]);
    expect(asked[0]?.first).toBe(25);
  });

  it('pages by cursor, refusing another user’s cursor and bad `first`', async () => {
    const p1 = await service.ownedBy(viewer('alice'), 'alice', { first: 2 });
    expect(p1.hasNextPage).toBe(true);
    const p2 = await service.ownedBy(viewer('alice'), 'alice', { first: 2, after: end(p1) });
    expect(p2.edges.map((e) => e.node.id)).toEqual(['p1']);
    await expect(service.ownedBy(viewer('bob'), 'bob', { after: end(p1) })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(service.ownedBy(viewer('alice'), 'alice', { first: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('hides a PRIVATE playlist from everyone but its owner and administrators', () => {
    const p: Playlist = { ...summary('p', 'alice', 'PRIVATE', 0), items: [] };
    expect(service.readable(viewer('alice'), p)).toBe(p);
    expect(service.readable(viewer('root', 'ADMIN'), p)).toBe(p);
    expect(service.readable(viewer('bob'), p)).toBeNull();
    expect(service.readable(viewer('bob'), { ...p, visibility: 'PUBLIC' })).not.toBeNull();
    expect(service.readable(viewer('alice'), null)).toBeNull();
  });
});
