import { DateTimeScalar } from '@ytm/subgraph';
import { mutationResolvers } from './mutation.resolver.js';
import { playRecordResolvers } from './play-record.resolver.js';
import { playbackTicketResolvers } from './playback-ticket.resolver.js';
import { trackResolvers } from './track.resolver.js';
import { userResolvers } from './user.resolver.js';

export const resolvers = {
  DateTime: DateTimeScalar,
  ...mutationResolvers,
  ...playbackTicketResolvers,
  ...playRecordResolvers,
  ...trackResolvers,
  ...userResolvers,
};
