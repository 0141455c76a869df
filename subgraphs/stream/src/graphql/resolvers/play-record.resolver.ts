import type { Ticket } from '../../domain/ticket.js';

export const playRecordResolvers = {
  PlayRecord: {
    track: (t: Ticket) => ({ __typename: 'Track', id: t.trackId }),
    playedAt: (t: Ticket) => t.startedAt ?? t.issuedAt,
    completed: (t: Ticket) => t.completedAt !== null,
  },
};
