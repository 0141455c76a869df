// First: the gateway (imported below) must find @apollo/federation-internals' exports as plain properties.
import './supergraph/federation-exports.js';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { createAuthenticator } from '@ytm/auth';
import { closeServer, createApp, gaugeFrom, httpHandler, listen, listenOps, type ServiceApp, type ShutdownStep } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import type { ServiceIdentity } from '@ytm/trust';
import type { RouterConfig } from './config.js';
import { createGraphQLServer } from './http/graphql-server.js';
import { MediaPacer, watchLoopLag } from './http/media-pacer.js';
import { serviceProxy, type ProxyRoute } from './http/service-proxy.js';
import { webApp } from './http/web-app.js';
import { ConcurrencyLimit } from './limits/concurrency-limit.js';
import { ConnectionLimits } from './limits/connection-limits.js';
import { registrationAddressCheck } from './registry/registration-address.js';
import { startRegistryServer, type RunningRegistryServer } from './registry/registry.grpc-server.js';
import { RegistryService } from './registry/registry.service.js';
import { DirectFetches } from './supergraph/direct-fetch.js';
import { dynamicSupergraph, subgraphsWithMixedSchemas } from './supergraph/dynamic-supergraph.js';
import { RoutedDataSource } from './supergraph/routed-data-source.js';
import { SubgraphClient } from './supergraph/subgraph-client.js';
import { SubgraphRouting } from './supergraph/subgraph-routing.js';
import { EVENTS_SUBGRAPH_URL, eventsDataSource } from './subscriptions/events-subgraph.js';
import { EVENTS_SDL, startSubscriptions } from './subscriptions/index.js';
import { resourceLikesLookup } from './subscriptions/likes-client.js';

export interface ComposedRouter {
  app: ServiceApp;
  registry: RegistryService;
  /**
   * Listens (registry gRPC, then HTTP and WebSocket once the supergraph is loaded, and the ops
   * listener) and starts the Kafka consumer and the event-loop lag watch.
   */
  start(): Promise<{ port: number; registryPort: number; opsPort: number; server: http.Server }>;
  /** Closed in order on shutdown. */
  shutdown: ShutdownStep[];
}

/**
 * The composition root of ytm-gateway: builds the registry, routing, gateway, GraphQL server,
 * media relay and HTTP app from the configuration; nothing listens or runs until `start`.
 */
export function composeService(config: RouterConfig, logger: Logger, identity: ServiceIdentity): ComposedRouter {
  const registry = new RegistryService({ onExpired: (r) => logger.warn({ name: r.name, instanceId: r.instanceId }, 'registration expired') });
  const routing = new SubgraphRouting(registry, {
    library: config.LIBRARY_HTTP_URL,
    resource: config.RESOURCE_HTTP_URL,
    stream: config.STREAM_HTTP_URL,
    subsonic: config.SUBSONIC_HTTP_URL,
  });
  // Subgraph fetches: one pooled keep-alive client; identical in-flight queries with the same credentials share a fetch.
  const subgraphClient = new SubgraphClient(config.SUBGRAPH_TIMEOUT_MS);
  // One-fetch plans whose subgraph answer is the client's answer skip the gateway's execution after their first run.
  const directFetches = new DirectFetches((service) => service instanceof RoutedDataSource);
  if (config.SUPERGRAPH_MODE !== 'static') {
    // While a subgraph's instances disagree on their schema, every answer is shaped by the gateway.
    let mixed: string[] = [];
    registry.onChange((regs) => {
      const now = subgraphsWithMixedSchemas(regs);
      if (now.join() === mixed.join()) return;
      mixed = now;
      directFetches.instancesAgree(now.length === 0);
      if (now.length > 0)
        logger.warn(
          { subgraphs: now },
          "a subgraph's instances registered different schemas: every answer goes through the gateway's execution until they agree",
        );
      else logger.info('every subgraph’s instances registered one schema: direct answers back on');
    });
  }
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
    experimental_didResolveQueryPlan: directFetches.learn,
  });

  const auth = createAuthenticator(config, { logger });
  const concurrency = new ConcurrencyLimit({
    perAddress: config.HTTP_CONCURRENT_PER_ADDRESS,
    mediaPerAddress: config.MEDIA_CONCURRENT_PER_ADDRESS,
    isMedia: (path) => path.startsWith('/stream/') || path.startsWith('/art/'),
  });
  const graphql = createGraphQLServer({
    gateway,
    directFetches,
    logger,
    production: config.production,
    authenticate: auth.authenticate,
    limits: {
      maxDepth: config.MAX_DEPTH,
      maxAliases: config.MAX_ALIASES,
      maxTokens: config.MAX_TOKENS,
      maxCost: config.MAX_COST,
      userCostPerMinute: config.USER_COST_PER_MINUTE,
      anonymousRequestsPerMinute: config.ANONYMOUS_REQUESTS_PER_MINUTE,
    },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    concurrency,
  });
  const likes = resourceLikesLookup(config.RESOURCE_GRPC_URL, identity, config.SUBGRAPH_TIMEOUT_MS);
  // Set by start(): health and readiness may be asked before.
  let subscriptions: ReturnType<typeof startSubscriptions> | undefined;
  const pacer = new MediaPacer(config.MEDIA_RATE_MAX_MBPS * 1_000_000, {
    lagTargetMs: config.MEDIA_LAG_TARGET_MS,
    minTransferBytesPerSecond: config.MEDIA_TRANSFER_FLOOR_KBPS * 1_000,
  });
  const proxyRoutes: ProxyRoute[] = [
    { prefix: '/stream/', service: 'stream', methods: ['GET', 'HEAD'], paced: true },
    // The OpenSubsonic API (ytm-subsonic): its answers include audio, so they are paced like /stream/*.
    { prefix: '/rest/', service: 'subsonic', methods: ['GET', 'HEAD', 'POST'], paced: true },
    { prefix: '/art/', service: 'library', methods: ['GET', 'HEAD'] },
    { prefix: '/playlists/', service: 'resource', methods: ['GET', 'HEAD'] },
    { prefix: '/auth/', service: 'resource', methods: ['POST'] },
    { prefix: '/.well-known/jwks.json', exact: true, service: 'resource', methods: ['GET', 'HEAD'] },
  ];
  const app = createApp({
    logger,
    trustProxy: config.TRUST_PROXY,
    health: () => ({ supergraphMode: config.SUPERGRAPH_MODE, registrations: registry.list(), subscribers: subscriptions?.hub.size ?? 0 }),
    readiness: {
      jwks: () => auth.ready(),
      kafkaConsumer: async () => {
        if (!subscriptions?.consumerJoined()) throw new Error('not joined yet');
      },
    },
    use: [
      concurrency.middleware(),
      serviceProxy({
        routes: proxyRoutes,
        target: (service) => routing.httpUrl(service),
        alternative: (service, failed) => routing.alternativeHttpUrl(service, failed),
        headersTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        pacer,
      }),
      // The web player at `/`: it passes on every reserved path (/graphql included), so it never shadows them.
      webApp({
        distDir: config.WEB_DIST_PATH,
        publicUrl: config.publicUrl,
        reservedPrefixes: [...proxyRoutes.map((r) => r.prefix), '/graphql', '/__events', '/health', '/ready', '/metrics'],
      }),
    ],
    // `/graphql` is served below Koa (graphql.route, tried first by the HTTP handler).
  });
  gaugeFrom('ytm_subscriptions_active', 'Active GraphQL subscriptions on this router', () => subscriptions?.hub.size ?? 0);
  gaugeFrom('ytm_websocket_connections', 'Open WebSocket connections on this router', () => subscriptions?.connections() ?? 0);
  gaugeFrom('ytm_media_rate_bytes_per_second', 'Rate the relayed media may move at now, all transfers together (adapts to event-loop lag)', () => pacer.rate);
  gaugeFrom('ytm_subgraph_registrations', 'Live subgraph registrations', () => registry.active().length);

  let registryServer: RunningRegistryServer | undefined;
  let server: http.Server | undefined;
  let ops: http.Server | undefined;
  let stopLagWatch: (() => void) | undefined;
  return {
    app,
    registry,
    async start() {
      const registryLogger = logger.child({ component: 'registry' });
      // A registration pointing at one of the router's own ports is the router itself (ports known once listening).
      const ownPorts: number[] = [config.PORT, config.GRPC_PORT];
      registryServer = await startRegistryServer({
        host: config.HOST,
        port: config.GRPC_PORT,
        registry,
        logger: registryLogger,
        guard: identity.guard(registryLogger),
        addresses: registrationAddressCheck({ ownPorts: () => ownPorts }),
      });
      ownPorts.push(registryServer.port);
      logger.info({ mode: config.SUPERGRAPH_MODE }, 'loading supergraph');
      await graphql.server.start();
      stopLagWatch = watchLoopLag((lag) => pacer.observeLag(lag));
      const listening = await listen(httpHandler(app, [graphql.route]), config.HOST, config.PORT);
      server = listening.server;
      const opsListening = await listenOps(app.ops, { host: config.OPS_HOST, port: config.OPS_PORT });
      ops = opsListening.server;
      ownPorts.push(listening.port, opsListening.port);
      subscriptions = startSubscriptions({
        server,
        gateway,
        apollo: graphql.server,
        authenticate: auth.authenticate,
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
        likes,
      });
      return { port: listening.port, registryPort: registryServer.port, opsPort: opsListening.port, server };
    },
    shutdown: [
      [
        'subscriptions',
        async () => {
          await subscriptions?.stop();
          likes.close();
        },
      ],
      ['http', () => (server ? closeServer(server, 8_000) : Promise.resolve())],
      ['graphql', () => graphql.server.stop()],
      ['subgraph-client', () => subgraphClient.close()],
      ['registry', () => registryServer?.close() ?? Promise.resolve()],
      ['lag-watch', async () => stopLagWatch?.()],
      ['ops', () => (ops ? closeServer(ops, 1_000) : Promise.resolve())],
    ],
  };
}
