import { DateTimeScalar } from '@ytm/subgraph';
import { mutationResolvers } from './mutation.resolver.js';
import { playlistItemResolvers } from './playlist-item.resolver.js';
import { playlistResolvers } from './playlist.resolver.js';
import { queryResolvers } from './query.resolver.js';
import { trackResolvers } from './track.resolver.js';
import { userResolvers } from './user.resolver.js';

export const resolvers = {
  DateTime: DateTimeScalar,
  ...queryResolvers,
  ...mutationResolvers,
  ...userResolvers,
  ...playlistResolvers,
  ...playlistItemResolvers,
  ...trackResolvers,
};
