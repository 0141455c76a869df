import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloGateway } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { Authenticate } from '@ytm/auth';
import { formatGraphQLError, rethrowAsContextError } from '@ytm/errors';
import {
  clientAddress,
  graphqlMetricsPlugin,
  graphqlOperationRecorder,
  rawRoute,
  readGraphQLBody,
  requestContext,
  sendJson,
  serveApollo,
  type RawRoute,
} from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { publicOperationsPlugin } from '../auth/public-operations.plugin.js';
import { graphqlRefusal, RETRY_AFTER_SECONDS, type ConcurrencyLimit } from '../limits/concurrency-limit.js';
import { limitsPlugin, type CostCheck } from '../limits/limits.plugin.js';
import { learnListSizes } from '../limits/operation-cost.js';
import type { DirectFetches } from '../supergraph/direct-fetch.js';
import { KnownOperations } from './known-operations.js';
import type { RouterContext } from './router-context.js';

export interface GraphQLServerOptions {
  gateway: ApolloGateway;
  /** Answers one-fetch plans without the gateway's execution (learnt from the gateway's own runs). */
  directFetches: DirectFetches;
  logger: Logger;
  production: boolean;
  /** The process's auth edge. */
  authenticate: Authenticate;
  limits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number; userCostPerMinute: number; anonymousRequestsPerMinute: number };
  bodyLimitBytes: number;
  /** Whether X-Forwarded-For names the client (TRUST_PROXY). */
  trustProxy: boolean;
  /** The per-address concurrency limit the rest of the router's HTTP surface shares. */
  concurrency: ConcurrencyLimit;
}

const FORWARD = ['authorization', 'traceparent', 'tracestate'] as const;

/**
 * The public GraphQL endpoint: Apollo Server over the federation gateway, with limits and masking
 * (`server.start()` loads the supergraph). `route` serves `/graphql` below Koa (the hot path, as
 * stream's Range endpoint): request id, trace, access log and metrics come with the raw route, the
 * per-address concurrency limit is the Koa app's own.
 */
export function createGraphQLServer(options: GraphQLServerOptions): {
  server: ApolloServer<RouterContext>;
  route: RawRoute;
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
  const { directFetches } = options;
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => directFetches.schemaChanged(apiSchema, coreSupergraphSdl));
  const record = graphqlOperationRecorder();
  const known = new KnownOperations({ directFetches, checkCost: limiter.checkCost, record });
  const server = new ApolloServer<RouterContext>({
    // Our shutdown sequence owns SIGTERM; Apollo's own handler would re-raise the signal and cut it short.
    stopOnTerminationSignals: false,
    // The gateway, its executor behind direct answers for one-fetch plans.
    gateway: {
      load: async (loadOptions) => {
        const loaded = await gateway.load(loadOptions);
        return { ...loaded, executor: directFetches.wrap(loaded.executor) };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    },
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
      graphqlMetricsPlugin<RouterContext>(record),
      known.plugin(),
      // No subgraph gives cache hints, so no answer is ever cacheable: not computed per request.
      ApolloServerPluginCacheControlDisabled(),
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
  const route = rawRoute({
    logger,
    prefix: '/graphql',
    exact: true,
    route: '/graphql',
    logPath: '/graphql',
    handle: async (exchange) => {
      const { req, res } = exchange;
      const address = clientAddress(req, options.trustProxy);
      const refused = options.concurrency.admit('/graphql', address, res);
      if (refused) {
        // The refused request's body is not read: end the connection rather than drain it.
        sendJson(res, 429, graphqlRefusal(refused.message), { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
        return;
      }
      const read = await readGraphQLBody(exchange, options.bodyLimitBytes);
      if (!read) return;
      const createContext = async (): Promise<RouterContext> => {
        const forwardHeaders: Record<string, string> = {};
        for (const name of FORWARD) {
          const v = req.headers[name];
          if (typeof v === 'string' && v) forwardHeaders[name] = v;
        }
        forwardHeaders['x-request-id'] = exchange.requestId;
        // The client address as the router determined it (a client-sent X-Forwarded-For is not believed
        // unless TRUST_PROXY): subgraphs rate-limit by it.
        forwardHeaders['x-forwarded-for'] = address;
        const viewer = (await authenticate(req.headers.authorization).catch(rethrowAsContextError))?.viewer ?? null;
        // The request's logger is made on first use (most requests log nothing but the access line).
        return requestContext(exchange, { viewer, requestId: exchange.requestId, forwardHeaders });
      };
      // A known document is answered without Apollo Server; anything else (or a hand-over) goes through it.
      const made = await known.answer(exchange, read.body, createContext);
      if (made === true) return;
      await serveApollo(server, exchange, { body: read.body, context: async () => made ?? createContext() });
      known.learnContentType(exchange);
    },
  });
  return { server, route, validationRules: armor.validationRules, checkCost: limiter.checkCost };
}
