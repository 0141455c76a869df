import type { Resolvers } from '../generated/resolvers-types.js';

export const playbackTicketResolvers: Resolvers = {
  PlaybackTicket: {
    track: (t) => ({ id: t.trackId }),
  },
};
