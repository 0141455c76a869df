import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloGateway } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { Authenticate } from '@ytm/auth';
import { formatGraphQLError, rethrowAsContextError } from '@ytm/errors';
import { apolloKoa, graphqlMetricsPlugin, type AppState } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import type Koa from 'koa';
import { publicOperationsPlugin } from '../auth/public-operations.plugin.js';
import { limitsPlugin, type CostCheck } from '../limits/limits.plugin.js';
import { learnListSizes } from '../limits/operation-cost.js';
import type { RouterContext } from './router-context.js';

export interface GraphQLServerOptions {
  gateway: ApolloGateway;
  logger: Logger;
  production: boolean;
  /** The process's auth edge. */
  authenticate: Authenticate;
  limits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number; userCostPerMinute: number; anonymousRequestsPerMinute: number };
  bodyLimitBytes: number;
}

const FORWARD = ['authorization', 'x-request-id', 'traceparent', 'tracestate', 'x-forwarded-for'];

/** The public GraphQL endpoint: Apollo Server over the federation gateway, with limits and masking (`server.start()` loads the supergraph). */
export function createGraphQLServer(options: GraphQLServerOptions): {
  server: ApolloServer<RouterContext>;
  middleware: Koa.Middleware<AppState>;
  validationRules: ValidationRule[];
  checkCost: CostCheck;
} {
  const { gateway, logger, production, authenticate, limits } = options;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: 20 },
    // Cost is checked by limitsPlugin with list sizes (`first`/`limit`) as multipliers.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const limiter = limitsPlugin({
    maxCost: limits.maxCost,
    userCostPerMinute: limits.userCostPerMinute,
    anonymousRequestsPerMinute: limits.anonymousRequestsPerMinute,
  });
  // Operation cost reads the supergraph's `@listSize` declarations for each API schema it is asked about.
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => learnListSizes(apiSchema, coreSupergraphSdl));
  const server = new ApolloServer<RouterContext>({
    // Our shutdown sequence owns SIGTERM; Apollo's own handler would re-raise the signal and cut it short.
    stopOnTerminationSignals: false,
    gateway,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    validationRules: armor.validationRules,
    plugins: [
      ...(armor.plugins as unknown as ApolloServerPlugin<RouterContext>[]),
      publicOperationsPlugin(),
      limiter,
      graphqlMetricsPlugin<RouterContext>(),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
    formatError: (formatted, error) => {
      const out = formatGraphQLError(formatted, error, { onInternal: (err) => logger.error({ err }, 'operation failed') });
      if (out.extensions && 'serviceName' in out.extensions) {
        const { serviceName: _internal, ...rest } = out.extensions;
        return { ...out, extensions: rest };
      }
      return out;
    },
  });
  const middleware = apolloKoa(server, {
    bodyLimitBytes: options.bodyLimitBytes,
    context: async (ctx): Promise<RouterContext> => {
      const forwardHeaders: Record<string, string> = {};
      for (const name of FORWARD) {
        const v = ctx.get(name);
        if (v) forwardHeaders[name] = v;
      }
      forwardHeaders['x-request-id'] = ctx.state.requestId;
      // The client address as the router determined it (a client-sent X-Forwarded-For is not believed
      // unless TRUST_PROXY): subgraphs rate-limit by it.
      forwardHeaders['x-forwarded-for'] = ctx.ip;
      const viewer = (await authenticate(ctx.get('authorization')).catch(rethrowAsContextError))?.viewer ?? null;
      return { viewer, requestId: ctx.state.requestId, log: ctx.state.log, forwardHeaders };
    },
  });
  return { server, middleware, validationRules: armor.validationRules, checkCost: limiter.checkCost };
}
