import { describe, expect, it } from '@jest/globals';
import type { Viewer } from '@ytm/auth';
import { LikeService } from '../../src/domain/like.service.js';
import type { LikeRepository } from '../../src/domain/ports.js';

const viewer = (id: string): Viewer => ({ id, sessionId: 's', role: 'ADMIN', plan: { tier: 'FREE', expiresAt: null } });
const likes = [3, 2, 1].map((n) => ({ trackId: `t${n}`, likedAt: new Date(n * 1000) }));
const store = {
  listLiked: async (_userId: string, options: Parameters<LikeRepository['listLiked']>[1]) => {
    const after = options.after;
    const rest = after ? likes.filter((l) => l.likedAt < after.likedAt) : likes;
    return { likes: rest.slice(0, options.first), hasNextPage: rest.length > options.first, totalCount: likes.length };
  },
} as unknown as LikeRepository;
const service = new LikeService({ likes: store, tracks: { getTracks: async () => new Map() }, clock: { now: () => new Date(0) } });

describe('LikeService.likedTracks', () => {
  it('is for the user themself only, administrators included', async () => {
    await expect(service.likedTracks(viewer('bob'), 'alice', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('pages newest first by cursor', async () => {
    const p1 = await service.likedTracks(viewer('alice'), 'alice', { first: 2 });
    expect(p1.edges.map((e) => e.node.trackId)).toEqual(['t3', 't2']);
    expect(p1).toMatchObject({ hasNextPage: true, totalCount: 3 });
    const p2 = await service.likedTracks(viewer('alice'), 'alice', { first: 2, after: p1.edges.at(-1)?.cursor });
    expect(p2.edges.map((e) => e.node.trackId)).toEqual(['t1']);
  });

  it('refuses bad `first` and cursors of other lists', async () => {
    for (const args of [{ first: 0 }, { first: 101 }, { after: 'x' }]) {
      await expect(service.likedTracks(viewer('alice'), 'alice', args)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});
