import { DateTimeScalar } from '@ytm/subgraph';
import { mutationResolvers } from './mutation.resolver.js';
import { queryResolvers } from './query.resolver.js';
import { userResolvers } from './user.resolver.js';

export const resolvers = { DateTime: DateTimeScalar, ...queryResolvers, ...mutationResolvers, ...userResolvers };
