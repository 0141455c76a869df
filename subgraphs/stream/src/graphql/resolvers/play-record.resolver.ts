import type { Resolvers } from '../generated/resolvers-types.js';

export const playRecordResolvers: Resolvers = {
  PlayRecord: {
    track: (p) => ({ id: p.trackId }),
  },
};
