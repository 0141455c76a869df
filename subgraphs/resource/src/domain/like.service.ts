import { BadUserInputError, ForbiddenError, NotFoundError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '@ytm/pagination';
import { TRACK_ID } from './playlist.js';
import type { Clock, LikeRepository } from './ports.js';
import type { TrackCatalog } from './track-catalog.js';

/** A liked track and when it was liked. */
export interface Like {
  trackId: string;
  likedAt: Date;
}

export interface LikeServiceDeps {
  likes: LikeRepository;
  tracks: TrackCatalog;
  clock: Clock;
}

function checkTrackId(trackId: string): void {
  if (!TRACK_ID.test(trackId)) throw new BadUserInputError('Not a valid track ID', 'trackId');
}

/** Likes: idempotent both ways; only the user themself sees their liked tracks. */
export class LikeService {
  constructor(private readonly deps: LikeServiceDeps) {}

  /** The track must exist in the library (asked over gRPC); unknown → NOT_FOUND. */
  async like(viewer: Viewer, trackId: string): Promise<Like> {
    checkTrackId(trackId);
    // Liking again keeps the first like: nothing to ask the library, nothing to write.
    const likedAt = await this.deps.likes.likedAt(viewer.id, trackId);
    if (likedAt) return { trackId, likedAt };
    const found = await this.deps.tracks.getTracks([trackId]);
    if (!found.has(trackId)) throw new NotFoundError('Track not found');
    return { trackId, likedAt: await this.deps.likes.like(viewer.id, trackId, this.deps.clock.now()) };
  }

  /** Works for tracks that left the library too. */
  async unlike(viewer: Viewer, trackId: string): Promise<{ id: string }> {
    checkTrackId(trackId);
    await this.deps.likes.unlike(viewer.id, trackId);
    return { id: trackId };
  }

  /**
   * Which of these users liked which of these tracks, for a trusted caller (the router, resolving
   * `Track.liked` of a subscription event for every subscriber at once: each one only ever sees
   * their own pairs). Bounded: at most 10,000 users and 1,000 tracks.
   */
  async likesOfUsers(userIds: readonly string[], trackIds: readonly string[]): Promise<Array<{ userId: string; trackId: string; likedAt: Date }>> {
    if (userIds.length > 10_000) throw new BadUserInputError('At most 10,000 users', 'userIds');
    if (trackIds.length > 1_000) throw new BadUserInputError('At most 1,000 tracks', 'trackIds');
    for (const t of trackIds) checkTrackId(t);
    for (const u of userIds) if (u.length === 0 || u.length > 128) throw new BadUserInputError('Not a valid user ID', 'userIds');
    return this.deps.likes.likesOfUsers([...new Set(userIds)], [...new Set(trackIds)]);
  }

  /** Newest like first; self only. */
  async likedTracks(viewer: Viewer, userId: string, args: PageArgs): Promise<Page<Like>> {
    if (viewer.id !== userId) throw new ForbiddenError('Only the user may see their liked tracks');
    const first = pageSize(args.first);
    const scope = 'liked';
    const after = args.after ? (decodeCursor(scope, args.after, ['number', 'string']) as [number, string]) : undefined;
    const page = await this.deps.likes.listLiked(userId, { first, ...(after ? { after: { likedAt: new Date(after[0]), trackId: after[1] } } : {}) });
    return {
      edges: page.likes.map((l) => ({ cursor: encodeCursor(scope, [l.likedAt.getTime(), l.trackId]), node: l })),
      hasNextPage: page.hasNextPage,
      totalCount: page.totalCount,
    };
  }
}
