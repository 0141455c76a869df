import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type Koa from 'koa';
import { parseBearer, type AccessTokenVerifier, type Viewer } from '@ytm/auth';
import { formatGraphQLError, toGraphQLError, UnauthenticatedError } from '@ytm/errors';
import { apolloKoa, graphqlMetricsPlugin, type AppState } from '@ytm/http';
import type { Logger } from '@ytm/logger';

/** What every subgraph resolver gets; each subgraph extends it with its services and loaders. */
export interface BaseContext {
  /** The verified caller; null when the request carried no token. */
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
}

export interface SubgraphServerOptions<C extends BaseContext> {
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<C>;
  logger: Logger;
  production: boolean;
  verifyAccessToken: AccessTokenVerifier;
  /** Adds per-request parts (dataloaders, services) to the base context. */
  context: (base: BaseContext) => C | Promise<C>;
}

export interface SubgraphServer {
  middleware: Koa.Middleware<AppState>;
  stop(): Promise<void>;
}

/**
 * A federated subgraph on Apollo Server: verifies the forwarded access token again (no
 * service trusts a header blindly), masks internal errors and hides schema details in production.
 */
export async function createSubgraphServer<C extends BaseContext>(options: SubgraphServerOptions<C>): Promise<SubgraphServer> {
  const { typeDefs, resolvers, logger, production, verifyAccessToken } = options;
  const apollo = new ApolloServer<C>({
    // Our shutdown sequence owns SIGTERM; Apollo's own handler would re-raise the signal and cut it short.
    stopOnTerminationSignals: false,
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Inline traces would send timing details to whoever asks (the router does not use them).
    plugins: [ApolloServerPluginInlineTraceDisabled(), graphqlMetricsPlugin<C>(), ...(production ? [ApolloServerPluginLandingPageDisabled()] : [])],
    formatError: (formatted, error) => formatGraphQLError(formatted, error, { onInternal: (err) => logger.error({ err }, 'resolver failed') }),
  });
  await apollo.start();
  const middleware = apolloKoa(apollo, {
    context: async (ctx) => {
      const header = ctx.get('authorization');
      let viewer: Viewer | null = null;
      if (header) {
        const token = parseBearer(header);
        if (!token) throw toGraphQLError(new UnauthenticatedError('Malformed Authorization header'));
        try {
          viewer = await verifyAccessToken(token);
        } catch (err) {
          if (err instanceof UnauthenticatedError) throw toGraphQLError(err);
          throw err;
        }
      }
      return options.context({ viewer, requestId: ctx.state.requestId, log: ctx.state.log });
    },
  });
  return { middleware, stop: () => apollo.stop() };
}

export { DateTimeScalar } from './date-time.js';
export { runSubgraph, type RunSubgraphOptions, type RunningSubgraph } from './run.js';
export { advertisedBaseUrl, isWildcardHost, type AdvertiseOptions } from './advertise.js';
