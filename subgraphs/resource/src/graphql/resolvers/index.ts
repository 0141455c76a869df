import { DateTimeScalar } from '@ytm/subgraph';
import { mutationResolvers } from './mutation.resolver.js';
import { playlistResolvers } from './playlist.resolver.js';
import { queryResolvers } from './query.resolver.js';
import { trackResolvers } from './track.resolver.js';
import { userResolvers } from './user.resolver.js';

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...queryResolvers.Query, ...playlistResolvers.Query },
  Mutation: { ...mutationResolvers.Mutation, ...playlistResolvers.Mutation, ...trackResolvers.Mutation },
  User: userResolvers.User,
  Playlist: playlistResolvers.Playlist,
  PlaylistItem: playlistResolvers.PlaylistItem,
  Track: trackResolvers.Track,
};
