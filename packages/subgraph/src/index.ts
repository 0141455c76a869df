import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type Koa from 'koa';
import type { Authenticate, Viewer } from '@ytm/auth';
import { formatGraphQLError, rethrowAsContextError } from '@ytm/errors';
import { apolloKoa, graphqlMetricsPlugin, normaliseAddress, type AppState } from '@ytm/http';
import type { Logger } from '@ytm/logger';

/** What every subgraph resolver gets; each subgraph extends it with its services and loaders. */
export interface BaseContext {
  /** The verified caller; null when the request carried no token. */
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  /** The client's address as the router forwarded it (X-Forwarded-For), for per-address limits. */
  clientAddress: string | undefined;
}

export interface SubgraphServerOptions<C extends BaseContext> {
  typeDefs: DocumentNode;
  /**
   * The subgraph's resolvers, typed by its generated `Resolvers` (graphql-codegen, whose
   * `__resolveReference` signature @apollo/subgraph's map does not spell the same way).
   */
  resolvers: GraphQLResolverMap<C> | object;
  logger: Logger;
  production: boolean;
  /** The process's auth edge (`createAuthenticator`). */
  authenticate: Authenticate;
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
  const { typeDefs, resolvers, logger, production, authenticate } = options;
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
      const viewer = (await authenticate(ctx.get('authorization')).catch(rethrowAsContextError))?.viewer ?? null;
      return options.context({ viewer, requestId: ctx.state.requestId, log: ctx.state.log, clientAddress: normaliseAddress(ctx.ip) });
    },
  });
  return { middleware, stop: () => apollo.stop() };
}

export { DateTimeScalar } from './date-time.js';
export { runService, type ComposedService, type ComposedSubgraph, type RunServiceOptions, type RunningService } from './run.js';
export { serviceMain, type ServiceMainOptions, type ServiceRuntimeConfig } from './service-main.js';
export { advertisedBaseUrl, isWildcardHost, type AdvertiseOptions } from './advertise.js';
