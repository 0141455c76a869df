import type { Cache, CacheExchangeOpts, OptimisticMutationConfig, ResolverConfig, UpdatesConfig } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

const unkeyed = [
  'PageInfo',
  'AudioFormat',
  'Plan',
  'PlaybackQuota',
  'PlaybackTicket',
  'SearchResult',
  'LibraryStats',
  'ScanStatus',
  'LibraryChange',
  'PlayRecord',
  'Session',
  'TrackConnection',
  'TrackEdge',
  'AlbumConnection',
  'AlbumEdge',
  'ArtistConnection',
  'ArtistEdge',
  'PlaylistConnection',
  'PlaylistEdge',
  'PlaylistItemConnection',
  'PlaylistItemEdge',
  'UserConnection',
  'UserEdge',
];

/**
 * The app's Graphcache: normalised, connections merged page by page (relayPagination: a list's
 * query asks for its first page and further pages are fetched beside it, see use-pages.ts), and
 * what each change makes stale (below).
 */
export function cacheOptions(): CacheExchangeOpts {
  return {
    keys: { ...Object.fromEntries(unkeyed.map((t): [string, () => null] => [t, () => null])), Image: (d) => (typeof d.url === 'string' ? d.url : null) },
    resolvers: {
      ...collectionResolvers,
      Query: { ...collectionResolvers.Query, tracks: relayPagination(), albums: relayPagination(), artists: relayPagination(), users: relayPagination() },
    },
    optimistic: collectionOptimistic,
    updates: {
      ...collectionUpdates,
      Subscription: {
        ...collectionUpdates.Subscription,
        libraryChanged: (result, _args, cache) => onLibraryChange(result, cache),
      },
    },
  };
}

/** Invalidates `field` of `entity` under every set of arguments it was read with (every page, every sort). */
export function invalidateField(cache: Cache, entity: string, field: string): void {
  for (const f of cache.inspectFields(entity)) if (f.fieldName === field) cache.invalidate(entity, f.fieldName, f.arguments ?? undefined);
}

/** Invalidates every page of `field` on the signed-in user (`me`), e.g. likedTracks. */
function invalidateMine(cache: Cache, field: string): void {
  const me = cache.resolve('Query', 'me');
  if (typeof me === 'string') invalidateField(cache, me, field);
}

/** Rewrites the signed-in user's list of API keys (newest first) in place; `null` refetches it instead. */
function editMyKeys(cache: Cache, edit: (keys: Array<string | null>) => Array<string | null> | null): void {
  const me = cache.resolve('Query', 'me');
  if (typeof me !== 'string') return;
  const keys = cache.resolve(me, 'apiKeys');
  const next = Array.isArray(keys) ? edit(keys as Array<string | null>) : null;
  if (next) cache.link(me, 'apiKeys', next);
  else invalidateField(cache, me, 'apiKeys');
}

/** Resolvers of the collection features (likes, playlists): single entities read from the cache. */
export const collectionResolvers: ResolverConfig = {
  Query: {
    track: (_parent, args) => ({ __typename: 'Track', id: args.id as string }),
  },
  User: { likedTracks: relayPagination(), playlists: relayPagination() },
};

/** Likes show at once; Graphcache drops the optimistic layer again when the mutation fails. */
export const collectionOptimistic: OptimisticMutationConfig = {
  likeTrack: (args) => ({ __typename: 'Track', id: args.trackId as string, liked: true }),
  unlikeTrack: (args) => ({ __typename: 'Track', id: args.trackId as string, liked: false }),
};

/** What a change makes stale: lists are refetched, single entities are updated by normalisation. */
export const collectionUpdates: UpdatesConfig = {
  Mutation: {
    likeTrack: (_r, _a, cache) => invalidateMine(cache, 'likedTracks'),
    unlikeTrack: (_r, _a, cache) => invalidateMine(cache, 'likedTracks'),
    createPlaylist: (_r, _a, cache) => invalidateMine(cache, 'playlists'),
    createApiKey: (result, _a, cache) => {
      const created = (result.createApiKey as { apiKey?: { id: string } } | undefined)?.apiKey;
      editMyKeys(cache, (keys) => (created ? [cache.keyOfEntity({ __typename: 'ApiKey', id: created.id }), ...keys] : null));
    },
    revokeApiKey: (result, args, cache) => {
      if (!result.revokeApiKey) return;
      const gone = cache.keyOfEntity({ __typename: 'ApiKey', id: args.id as string });
      editMyKeys(cache, (keys) => keys.filter((k) => k !== gone));
      cache.invalidate({ __typename: 'ApiKey', id: args.id as string });
    },
    deletePlaylist: (_r, args, cache) => {
      cache.invalidate({ __typename: 'Playlist', id: args.id as string });
      invalidateMine(cache, 'playlists');
    },
  },
  Subscription: {
    playlistChanged: (result, _args, cache) => {
      const change = result.playlistChanged as { kind: string; playlistId: string } | undefined;
      if (change?.kind === 'DELETED') cache.invalidate({ __typename: 'Playlist', id: change.playlistId });
      invalidateMine(cache, 'playlists');
    },
  },
};

/** A library change: lists that may hold the track are stale; a removed track is gone. */
export function onLibraryChange(result: Record<string, unknown>, cache: Cache): void {
  const change = result.libraryChanged as { kind: string; trackId: string } | undefined;
  if (change?.kind === 'REMOVED') cache.invalidate({ __typename: 'Track', id: change.trackId });
  for (const field of ['albums', 'artists', 'tracks', 'libraryStats', 'search', 'randomTracks', 'randomAlbums', 'genres', 'artist', 'album'])
    invalidateField(cache, 'Query', field);
  invalidateMine(cache, 'likedTracks');
}
