import { DateTimeScalar } from '@ytm/subgraph';
import type { Resolvers } from '../generated/resolvers-types.js';
import { mutationResolvers } from './mutation.resolver.js';
import { playRecordResolvers } from './play-record.resolver.js';
import { playbackTicketResolvers } from './playback-ticket.resolver.js';
import { trackResolvers } from './track.resolver.js';
import { userResolvers } from './user.resolver.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...mutationResolvers,
  ...playbackTicketResolvers,
  ...playRecordResolvers,
  ...trackResolvers,
  ...userResolvers,
};
