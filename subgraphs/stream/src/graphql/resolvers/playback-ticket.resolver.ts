import type { IssuedTicket } from '../../domain/playback.service.js';

export const playbackTicketResolvers = {
  PlaybackTicket: {
    track: (t: IssuedTicket) => ({ __typename: 'Track', id: t.trackId }),
  },
};
