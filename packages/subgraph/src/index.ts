import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Authenticate, Viewer } from '@ytm/auth';
import { formatGraphQLError, rethrowAsContextError } from '@ytm/errors';
import {
  clientAddress,
  GRAPHQL_PATH,
  graphqlMetricsPlugin,
  normaliseAddress,
  rawRoute,
  readGraphQLBody,
  requestContext,
  serveApollo,
  type RawRoute,
} from '@ytm/http';
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
  /** Largest request body read (1 MB unless set). */
  bodyLimitBytes?: number;
}

export interface SubgraphServer {
  /** `/graphql`, served below Koa (put it in the service's `routes`): the hot path, as on the router. */
  route: RawRoute;
  stop(): Promise<void>;
}

/**
 * A federated subgraph on Apollo Server: verifies the forwarded access token again (no
 * service trusts a header blindly), masks internal errors and hides schema details in production.
 * Its `/graphql` is a raw route (no Koa context or middleware chain per request); the route keeps
 * what every YTM route has: request id, the caller's trace, access log, metrics, JSON errors.
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
    plugins: [
      // Inline traces would send timing details to whoever asks (the router does not use them).
      ApolloServerPluginInlineTraceDisabled(),
      // No field gives a cache hint and the router computes no cache policy: without this, Apollo's
      // cache-control plugin wraps every resolver to compute a policy per field on every request.
      ApolloServerPluginCacheControlDisabled(),
      graphqlMetricsPlugin<C>(),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
    formatError: (formatted, error) => formatGraphQLError(formatted, error, { onInternal: (err) => logger.error({ err }, 'resolver failed') }),
  });
  await apollo.start();
  const bodyLimitBytes = options.bodyLimitBytes ?? 1_000_000;
  const route = rawRoute({
    logger,
    prefix: GRAPHQL_PATH,
    exact: true,
    route: GRAPHQL_PATH,
    logPath: GRAPHQL_PATH,
    handle: async (exchange) => {
      const read = await readGraphQLBody(exchange, bodyLimitBytes);
      if (!read) return;
      await serveApollo(apollo, exchange, {
        body: read.body,
        context: async () => {
          const { req } = exchange;
          const viewer = (await authenticate(req.headers.authorization).catch(rethrowAsContextError))?.viewer ?? null;
          // Behind the router, X-Forwarded-For is the client address the router determined.
          const base = requestContext(exchange, { viewer, requestId: exchange.requestId, clientAddress: normaliseAddress(clientAddress(req, true)) });
          // The request's logger is made on first use (most requests log nothing but the access line),
          // also in the subgraph's own context, which copies the base.
          return requestContext(exchange, await options.context(base));
        },
      });
    },
  });
  return { route, stop: () => apollo.stop() };
}

export { DateTimeScalar } from './date-time.js';
export { runService, type ComposedService, type ComposedSubgraph, type RunServiceOptions, type RunningService } from './run.js';
export { serviceMain, type ServiceMainOptions, type ServiceRuntimeConfig } from './service-main.js';
export { advertisedBaseUrl, isWildcardHost, type AdvertiseOptions } from './advertise.js';
