import { DateTimeScalar } from '@ytm/subgraph';
import type { Image } from '../../domain/model.js';
import type { LibraryContext } from '../context.js';
import { albumResolvers } from './album.resolver.js';
import { artistResolvers } from './artist.resolver.js';
import { mutationResolvers } from './mutation.resolver.js';
import { queryResolvers } from './query.resolver.js';
import { trackResolvers } from './track.resolver.js';

const imageResolvers = {
  Image: {
    url: (image: Image, _: unknown, ctx: LibraryContext) => `${ctx.publicUrl}/art/${image.id}`,
  },
};

export const resolvers = {
  DateTime: DateTimeScalar,
  ...queryResolvers,
  ...mutationResolvers,
  ...trackResolvers,
  ...albumResolvers,
  ...artistResolvers,
  ...imageResolvers,
};
