import { DateTimeScalar } from '@ytm/subgraph';
import { albumResolvers } from './album.resolver.js';
import { artistResolvers } from './artist.resolver.js';
import { mutationResolvers } from './mutation.resolver.js';
import { queryResolvers } from './query.resolver.js';
import { trackResolvers } from './track.resolver.js';
import type { Resolvers } from '../generated/resolvers-types.js';

const imageResolvers: Resolvers = {
  Image: {
    url: (image, _, ctx) => `${ctx.publicUrl}/art/${image.id}`,
  },
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...queryResolvers,
  ...mutationResolvers,
  ...trackResolvers,
  ...albumResolvers,
  ...artistResolvers,
  ...imageResolvers,
};
