import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@ytm/errors';
import { checkRating, rated, starred, type Annotation, type AnnotationKind, type AnnotationRepository } from '../../src/domain/annotation.js';
import { AnnotationService } from '../../src/domain/annotation.service.js';
import { checkPlayQueue, type PlayQueue, type PlayQueueRepository } from '../../src/domain/play-queue.js';
import { PlayQueueService } from '../../src/domain/play-queue.service.js';
import type { TrackCatalog, TrackSummary } from '../../src/domain/track-catalog.js';

const now = new Date('2026-12-06T03:00:00Z');
const clock = { now: () => now };
const user = randomUUID();

async function code(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'other';
  }
  return 'none';
}

class MemoryAnnotations implements AnnotationRepository {
  readonly docs = new Map<string, Annotation>();
  writes = 0;
  async listByUser(userId: string) {
    return [...this.docs.entries()].filter(([k]) => k.startsWith(`${userId}:`)).map(([, v]) => v);
  }
  async update(userId: string, kind: AnnotationKind, itemId: string, change: (c: Annotation | null) => Pick<Annotation, 'rating' | 'starredAt'>) {
    const key = `${userId}:${kind}:${itemId}`;
    const next = { kind, itemId, ...change(this.docs.get(key) ?? null) };
    this.writes += 1;
    if (next.rating === null && next.starredAt === null) this.docs.delete(key);
    else this.docs.set(key, next);
    return next;
  }
}

describe('ratings', () => {
  it('accepts 0 to 5 (0 removes), refuses anything else', () => {
    expect(checkRating(0)).toBeNull();
    expect(checkRating(1)).toBe(1);
    expect(checkRating(5)).toBe(5);
    for (const bad of [-1, 6, 2.5, Number.NaN]) expect(() => checkRating(bad)).toThrow(DomainError);
  });

  it('keeps the star when rating and the rating when unstarring; starring again keeps the first time', () => {
    const later = new Date(now.getTime() + 1000);
    const a: Annotation = { kind: 'album', itemId: 'al_1', rating: 4, starredAt: now };
    expect(rated(a, null)).toEqual({ rating: null, starredAt: now });
    expect(starred(a, false, later)).toEqual({ rating: 4, starredAt: null });
    expect(starred(a, true, later)).toEqual({ rating: 4, starredAt: now });
    expect(starred(null, true, later)).toEqual({ rating: null, starredAt: later });
  });

  it('sets and removes through the service; bad input changes nothing', async () => {
    const repo = new MemoryAnnotations();
    const s = new AnnotationService({ annotations: repo, clock });
    await s.setRating(user, 'track', 'tr_1', 3);
    expect(await s.list(user)).toEqual([{ kind: 'track', itemId: 'tr_1', rating: 3, starredAt: null }]);
    await s.setRating(user, 'track', 'tr_1', 0);
    expect(await s.list(user)).toEqual([]);
    const writes = repo.writes;
    expect(await code(() => s.setRating(user, 'track', 'tr_1', 7))).toBe('BAD_USER_INPUT');
    expect(await code(() => s.setRating(user, 'playlist', 'p1', 3))).toBe('BAD_USER_INPUT');
    expect(await code(() => s.setRating(user, 'album', 'bad id with spaces', 3))).toBe('BAD_USER_INPUT');
    expect(await code(() => s.setRating('not-a-uuid', 'album', 'al_1', 3))).toBe('BAD_USER_INPUT');
    expect(repo.writes).toBe(writes);
  });
});

describe('stars of albums and artists', () => {
  it('stars and unstars a set; tracks are starred as likes, not here', async () => {
    const repo = new MemoryAnnotations();
    const s = new AnnotationService({ annotations: repo, clock });
    await s.setStarred(user, 'album', ['al_1', 'al_2', 'al_1'], true);
    await s.setStarred(user, 'artist', ['ar_1'], true);
    expect((await s.list(user)).map((a) => `${a.kind}:${a.itemId}:${a.starredAt?.toISOString()}`).sort()).toEqual([
      `album:al_1:${now.toISOString()}`,
      `album:al_2:${now.toISOString()}`,
      `artist:ar_1:${now.toISOString()}`,
    ]);
    await s.setStarred(user, 'album', ['al_2'], false);
    expect((await s.list(user)).map((a) => a.itemId).sort()).toEqual(['al_1', 'ar_1']);
    const writes = repo.writes;
    expect(await code(() => s.setStarred(user, 'track', ['tr_1'], true))).toBe('BAD_USER_INPUT');
    expect(await code(() => s.setStarred(user, 'album', [], true))).toBe('BAD_USER_INPUT');
    expect(await code(() => s.setStarred(user, 'album', ['al_3', 'bad id'], true))).toBe('BAD_USER_INPUT');
    expect(
      await code(() =>
        s.setStarred(
          user,
          'album',
          Array.from({ length: 101 }, (_, i) => `al_${i}`),
          true,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(repo.writes).toBe(writes);
  });
});

describe('play queues', () => {
  const input = { trackIds: ['tr_1', 'tr_2'], currentIndex: 1, positionMs: 5_000, changedBy: 'Symfonium' };

  it('checks the current track, the position and the IDs', () => {
    expect(checkPlayQueue(input, now)).toEqual({ ...input, changedAt: now });
    expect(checkPlayQueue({ ...input, trackIds: [], currentIndex: -1 }, now)).toMatchObject({ trackIds: [], currentIndex: -1, positionMs: 0 });
    expect(checkPlayQueue({ ...input, changedBy: 'x'.repeat(500) }, now).changedBy).toHaveLength(200);
    for (const bad of [{ currentIndex: 2 }, { currentIndex: -2 }, { positionMs: -1 }, { positionMs: 1.5 }, { trackIds: ['tr_1', 'bad id'] }]) {
      expect(() => checkPlayQueue({ ...input, ...bad }, now)).toThrow(DomainError);
    }
  });

  it('saves only tracks of the library; an empty queue clears', async () => {
    const saved = new Map<string, PlayQueue>();
    const queues: PlayQueueRepository = {
      find: async (u) => saved.get(u) ?? null,
      save: async (u, q) => void saved.set(u, q),
      clear: async (u) => void saved.delete(u),
    };
    const known = new Set(['tr_1', 'tr_2']);
    const tracks: TrackCatalog = {
      getTracks: async (ids) => new Map(ids.filter((id) => known.has(id)).map((id) => [id, { id } as TrackSummary])),
    };
    const s = new PlayQueueService({ queues, tracks, clock });
    expect(await s.save(user, input)).toEqual({ ...input, changedAt: now });
    expect(await s.get(user)).toEqual({ ...input, changedAt: now });
    expect(await code(() => s.save(user, { ...input, trackIds: ['tr_1', 'tr_404'] }))).toBe('NOT_FOUND');
    expect(await code(() => s.save(user, { ...input, currentIndex: 9 }))).toBe('BAD_USER_INPUT');
    expect(await s.get(user)).toEqual({ ...input, changedAt: now });
    expect(await s.save(user, { trackIds: [], currentIndex: -1, positionMs: 0, changedBy: 'x' })).toBeNull();
    expect(await s.get(user)).toBeNull();
  });
});
