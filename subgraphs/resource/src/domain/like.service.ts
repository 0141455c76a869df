import { BadUserInputError, ForbiddenError, NotFoundError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import { TRACK_ID } from './playlist.js';
import type { Clock, LikeRepository } from './ports.js';
import type { TrackCatalog } from './track-catalog.js';

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
  async like(viewer: Viewer, trackId: string): Promise<{ id: string }> {
    checkTrackId(trackId);
    const found = await this.deps.tracks.getTracks([trackId]);
    if (!found.has(trackId)) throw new NotFoundError('Track not found');
    await this.deps.likes.like(viewer.id, trackId, this.deps.clock.now());
    return { id: trackId };
  }

  /** Works for tracks that left the library too. */
  async unlike(viewer: Viewer, trackId: string): Promise<{ id: string }> {
    checkTrackId(trackId);
    await this.deps.likes.unlike(viewer.id, trackId);
    return { id: trackId };
  }

  likedTracks(viewer: Viewer, userId: string, first: number, after?: { likedAt: Date; trackId: string }) {
    if (viewer.id !== userId) throw new ForbiddenError('Only the user may see their liked tracks');
    return this.deps.likes.listLiked(userId, { first, ...(after ? { after } : {}) });
  }
}
