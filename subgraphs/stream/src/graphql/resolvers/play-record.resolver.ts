import type { PlayRecord } from '../../domain/ticket.js';

export const playRecordResolvers = {
  PlayRecord: {
    track: (p: PlayRecord) => ({ __typename: 'Track', id: p.trackId }),
  },
};
