import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { createAccessTokenVerifier, createJwksKeyResolver } from '@ytm/auth';
import { closeServer, createApp, gaugeFrom, handleShutdown, listen, listenOps } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { ServiceIdentity } from '@ytm/trust';
import { readConfig } from './config.js';
import { createGraphQLServer } from './http/graphql-server.js';
import { MediaPacer, watchLoopLag } from './http/media-pacer.js';
import { serviceProxy, type ProxyRoute } from './http/service-proxy.js';
import { webApp } from './http/web-app.js';
import { registrationAddressCheck } from './registry/registration-address.js';
import { concurrencyLimit } from './limits/concurrency-limit.js';
import { ConnectionLimits } from './limits/connection-limits.js';
import { startRegistryServer } from './registry/registry.grpc-server.js';
import { RegistryService } from './registry/registry.service.js';
import { dynamicSupergraph } from './supergraph/dynamic-supergraph.js';
import { RoutedDataSource } from './supergraph/routed-data-source.js';
import { SubgraphClient } from './supergraph/subgraph-client.js';
import { SubgraphRouting } from './supergraph/subgraph-routing.js';
import { EVENTS_SUBGRAPH_URL, eventsDataSource } from './subscriptions/events-subgraph.js';
import { EVENTS_SDL, startSubscriptions } from './subscriptions/index.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-gateway', level: config.LOG_LEVEL });

const registry = new RegistryService({ onExpired: (r) => logger.warn({ name: r.name, instanceId: r.instanceId }, 'registration expired') });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'router', keyFile: config.SERVICE_KEY_FILE });
const registryLogger = logger.child({ component: 'registry' });
// A registration pointing at one of the router's own ports is the router itself (ports known once listening).
const ownPorts: number[] = [config.PORT, config.GRPC_PORT];
const registryServer = await startRegistryServer({
  host: config.HOST,
  port: config.GRPC_PORT,
  registry,
  logger: registryLogger,
  guard: identity.guard(registryLogger),
  addresses: registrationAddressCheck({ ownPorts: () => ownPorts }),
});
ownPorts.push(registryServer.port);
const routing = new SubgraphRouting(registry, {
  library: config.LIBRARY_HTTP_URL,
  resource: config.RESOURCE_HTTP_URL,
  stream: config.STREAM_HTTP_URL,
  subsonic: config.SUBSONIC_HTTP_URL,
});
// Subgraph fetches: one pooled keep-alive client; identical in-flight queries with the same credentials share a fetch.
const subgraphClient = new SubgraphClient(config.SUBGRAPH_TIMEOUT_MS);

const gateway = new ApolloGateway({
  ...(config.SUPERGRAPH_MODE === 'static'
    ? { supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8') }
    : {
        supergraphSdl: dynamicSupergraph({
          registry,
          logger,
          required: ['library', 'resource', 'stream'],
          extraSubgraphs: [{ name: 'events', url: EVENTS_SUBGRAPH_URL, sdl: EVENTS_SDL }],
        }),
      }),
  // The events subgraph is executed in-process: it has no URL anyone could reach.
  buildService: ({ name, url }) => (name === 'events' ? eventsDataSource(EVENTS_SDL) : new RoutedDataSource(name, url ?? '', routing, subgraphClient)),
  logger: logger.child({ component: 'gateway' }),
});

const jwks = createJwksKeyResolver({ url: config.JWKS_URL, onError: (err) => logger.warn({ err: (err as Error).message }, 'JWKS fetch failed') });
const verifyAccessToken = createAccessTokenVerifier({ resolveKey: jwks, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

logger.info({ mode: config.SUPERGRAPH_MODE }, 'loading supergraph');
const graphql = await createGraphQLServer({
  gateway,
  logger,
  production: config.production,
  verifyAccessToken,
  limits: {
    maxDepth: config.MAX_DEPTH,
    maxAliases: config.MAX_ALIASES,
    maxTokens: config.MAX_TOKENS,
    maxCost: config.MAX_COST,
    userCostPerMinute: config.USER_COST_PER_MINUTE,
    anonymousRequestsPerMinute: config.ANONYMOUS_REQUESTS_PER_MINUTE,
  },
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
});

const app = createApp({
  logger,
  trustProxy: config.TRUST_PROXY,
  health: () => ({ supergraphMode: config.SUPERGRAPH_MODE, registrations: registry.list(), subscribers: subscriptions?.hub.size ?? 0 }),
  readiness: {
    jwks: async () => {
      if (!jwks.loaded()) await jwks.refresh();
    },
    kafkaConsumer: async () => {
      if (!subscriptions?.consumerJoined()) throw new Error('not joined yet');
    },
  },
});
// Assigned once the HTTP server listens; health and readiness read it before that.
// eslint-disable-next-line prefer-const
let subscriptions: ReturnType<typeof startSubscriptions> | undefined;
const pacer = new MediaPacer(config.MEDIA_RATE_MAX_MBPS * 1_000_000, {
  lagTargetMs: config.MEDIA_LAG_TARGET_MS,
  minTransferBytesPerSecond: config.MEDIA_TRANSFER_FLOOR_KBPS * 1_000,
});
const stopLagWatch = watchLoopLag((lag) => pacer.observeLag(lag));
const proxyRoutes: ProxyRoute[] = [
  { prefix: '/stream/', service: 'stream', methods: ['GET', 'HEAD'], paced: true },
  // The OpenSubsonic API (ytm-subsonic): its answers include audio, so they are paced like /stream/*.
  { prefix: '/rest/', service: 'subsonic', methods: ['GET', 'HEAD', 'POST'], paced: true },
  { prefix: '/art/', service: 'library', methods: ['GET', 'HEAD'] },
  { prefix: '/playlists/', service: 'resource', methods: ['GET', 'HEAD'] },
  { prefix: '/auth/', service: 'resource', methods: ['POST'] },
  { prefix: '/.well-known/jwks.json', exact: true, service: 'resource', methods: ['GET', 'HEAD'] },
];
app.use(
  concurrencyLimit({
    perAddress: config.HTTP_CONCURRENT_PER_ADDRESS,
    mediaPerAddress: config.MEDIA_CONCURRENT_PER_ADDRESS,
    isMedia: (path) => path.startsWith('/stream/') || path.startsWith('/art/'),
  }),
);
app.use(
  serviceProxy({
    routes: proxyRoutes,
    target: (service) => routing.httpUrl(service),
    headersTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    pacer,
  }),
);
app.use(async (ctx, next) => {
  if (ctx.path === '/graphql') await graphql.middleware(ctx, next);
  else await next();
});
// The web player at `/`, last: it never shadows the routes above (nor /rest/*, /health, ...).
app.use(
  webApp({
    distDir: config.WEB_DIST_PATH,
    publicUrl: config.publicUrl,
    reservedPrefixes: [...proxyRoutes.map((r) => r.prefix), '/graphql', '/__events', '/rest/', '/health', '/ready', '/metrics'],
  }),
);

const { server, port } = await listen(app.callback(), config.HOST, config.PORT);
ownPorts.push(port);
const ops = await listenOps(app.ops, { host: config.OPS_HOST, port: config.OPS_PORT });
ownPorts.push(ops.port);
subscriptions = startSubscriptions({
  server,
  gateway,
  apollo: graphql.server,
  verifyAccessToken,
  validationRules: graphql.validationRules,
  production: config.production,
  kafkaBrokers: config.KAFKA_BROKERS,
  logger,
  maxSubscriptionsPerConnection: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
  connectionLimits: new ConnectionLimits({
    connectionsPerUser: config.WS_CONNECTIONS_PER_USER,
    connectionsPerAddress: config.WS_CONNECTIONS_PER_ADDRESS,
    subscriptionsPerUser: config.SUBSCRIPTIONS_PER_USER,
  }),
  trustProxy: config.TRUST_PROXY,
  queueLimit: config.SUBSCRIBER_QUEUE_LIMIT,
  slowConsumerGraceMs: config.SLOW_CONSUMER_GRACE_MS,
  checkCost: graphql.checkCost,
});
gaugeFrom('ytm_subscriptions_active', 'Active GraphQL subscriptions on this router', () => subscriptions?.hub.size ?? 0);
gaugeFrom('ytm_websocket_connections', 'Open WebSocket connections on this router', () => subscriptions?.connections() ?? 0);
gaugeFrom('ytm_media_rate_bytes_per_second', 'Rate the relayed media may move at now, all transfers together (adapts to event-loop lag)', () => pacer.rate);
gaugeFrom('ytm_subgraph_registrations', 'Live subgraph registrations', () => registry.active().length);
handleShutdown(logger, () => [
  ['subscriptions', () => subscriptions?.stop() ?? Promise.resolve()],
  ['http', () => closeServer(server, 8_000)],
  ['graphql', () => graphql.server.stop()],
  ['subgraph-client', () => subgraphClient.close()],
  ['registry', () => registryServer.close()],
  ['lag-watch', async () => stopLagWatch()],
  ['ops', () => closeServer(ops.server, 1_000)],
]);
logger.info(
  { url: `http://${config.HOST}:${port}/graphql`, registryPort: registryServer.port, opsUrl: `http://${config.OPS_HOST}:${ops.port}` },
  'ytm-gateway ready',
);
