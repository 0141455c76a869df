import { DateTimeScalar } from '@ytm/subgraph';
import { mutationResolvers } from './mutation.resolver.js';
import { playlistItemResolvers } from './playlist-item.resolver.js';
import { playlistResolvers } from './playlist.resolver.js';
import { queryResolvers } from './query.resolver.js';
import { trackResolvers } from './track.resolver.js';
import { userResolvers } from './user.resolver.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...queryResolvers,
  ...mutationResolvers,
  ...userResolvers,
  ...playlistResolvers,
  ...playlistItemResolvers,
  ...trackResolvers,
};
