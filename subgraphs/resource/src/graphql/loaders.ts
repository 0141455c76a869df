import DataLoader from 'dataloader';
import type { Playlist } from '../domain/playlist.js';
import type { LikeRepository, PlaylistRepository, UserRepository } from '../domain/ports.js';
import type { RemovedTrackRepository } from '../domain/track-catalog.js';
import type { User } from '../domain/user.js';

export interface LoaderSources {
  /** Users as GraphQL shows them (`CachedUserReads` in the service). */
  userReads: Pick<UserRepository, 'findByIds'>;
  playlistStore: PlaylistRepository;
  removedTracks: RemovedTrackRepository;
  likeStore: LikeRepository;
}

/** Per request, so batching and caching never leak across users. */
export function createLoaders(sources: LoaderSources, viewerId: string | undefined) {
  return {
    /** When the signed-in user liked a track (null: not liked): one query for every Track of a request. */
    likedAt: new DataLoader<string, Date | null>(async (trackIds) => {
      if (!viewerId) return trackIds.map(() => null);
      const liked = await sources.likeStore.likedAmong(viewerId, trackIds);
      return trackIds.map((id) => liked.get(id) ?? null);
    }),
    user: new DataLoader<string, User | null>(async (ids) => {
      const users = await sources.userReads.findByIds(ids);
      const byId = new Map(users.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The latest version regardless of who asks: callers apply the visibility rules. */
    playlist: new DataLoader<string, Playlist | null>((ids) => Promise.all(ids.map((id) => sources.playlistStore.findLatest(id)))),
    /** Whether a track left the library: one query for all items of a request. */
    removedTrack: new DataLoader<string, boolean>(async (trackIds) => {
      const removed = await sources.removedTracks.removedAmong(trackIds);
      return trackIds.map((id) => removed.has(id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
