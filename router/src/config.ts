import { fileURLToPath } from 'node:url';
import { env, loadConfig, z } from '@ytm/config';

/** The only place that reads process.env. */
export function readConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = loadConfig(
    'ytm-gateway',
    {
      NODE_ENV: env.nodeEnv(),
      LOG_LEVEL: env.logLevel(),
      HOST: env.string('127.0.0.1'),
      PORT: env.port(4000),
      GRPC_PORT: env.port(50050),
      /** The trust material (service keys, see README "Trust between services"); `npm start`/`npm test` create it. */
      TRUST_DIR: env.string('./.ytm/trust'),
      /** This service's private key when it is mounted apart from TRUST_DIR (default TRUST_DIR/private/<service>.key.pem). */
      SERVICE_KEY_FILE: env.optionalString(),
      /** The ops listener (`/health` with registrations, `/ready`, `/metrics`): loopback unless opened on purpose; never published. */
      OPS_HOST: env.string('127.0.0.1'),
      OPS_PORT: env.port(9400),
      SUPERGRAPH_MODE: z.enum(['static', 'dynamic']).default('static'),
      SUPERGRAPH_PATH: env.string(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url))),
      /** The web player's production build, served at `/`. */
      WEB_DIST_PATH: env.string(fileURLToPath(new URL('../../web/dist', import.meta.url))),
      JWKS_URL: env.url('http://127.0.0.1:4002/.well-known/jwks.json'),
      JWT_ISSUER: env.string('ytm-resource'),
      JWT_AUDIENCE: env.string('ytm'),
      LIBRARY_HTTP_URL: env.url('http://127.0.0.1:4001'),
      RESOURCE_HTTP_URL: env.url('http://127.0.0.1:4002'),
      /** Resource's gRPC service: subscription events read `Track.liked` of all their subscribers there in one call. */
      RESOURCE_GRPC_URL: env.string('127.0.0.1:50052'),
      STREAM_HTTP_URL: env.url('http://127.0.0.1:4003'),
      SUBSONIC_HTTP_URL: env.url('http://127.0.0.1:4004'),
      KAFKA_BROKERS: env.list('127.0.0.1:9092'),
      SUBGRAPH_TIMEOUT_MS: env.int(10_000, 100, 120_000),
      /**
       * Audio relayed from stream moves at most this many MB/s in total (0: unlimited), shared
       * between transfers, so bulk downloads cannot starve the router's event loop (media-pacer.ts).
       */
      MEDIA_RATE_MAX_MBPS: env.int(256, 0, 100_000),
      /**
       * The media rate backs off while the event loop runs later than this (ms) and climbs back
       * to MEDIA_RATE_MAX_MBPS while it keeps time.
       */
      MEDIA_LAG_TARGET_MS: env.int(5, 1, 1_000),
      /** ...but never below this many kB/s for each open transfer (what a listener's audio needs, with room). */
      MEDIA_TRANSFER_FLOOR_KBPS: env.int(1_000, 0, 1_000_000),
      BODY_LIMIT_BYTES: env.int(1_000_000, 1_000, 50_000_000),
      MAX_DEPTH: env.int(12, 2, 50),
      MAX_ALIASES: env.int(30, 1, 1_000),
      MAX_TOKENS: env.int(2_000, 100, 100_000),
      MAX_COST: env.int(50_000, 100, 10_000_000),
      USER_COST_PER_MINUTE: env.int(2_000_000, 1_000, 1_000_000_000),
      ANONYMOUS_REQUESTS_PER_MINUTE: env.int(300, 1, 1_000_000),
      MAX_SUBSCRIPTIONS_PER_CONNECTION: env.int(20, 1, 1_000),
      /** Per account and per client address, on this router instance (README "Connection and concurrency limits"). */
      WS_CONNECTIONS_PER_USER: env.int(10, 1, 100_000),
      WS_CONNECTIONS_PER_ADDRESS: env.int(50, 1, 1_000_000),
      SUBSCRIPTIONS_PER_USER: env.int(100, 1, 1_000_000),
      HTTP_CONCURRENT_PER_ADDRESS: env.int(64, 1, 1_000_000),
      /** Media transfers (/stream/, /art/) have a pool of their own, so audio downloads never take GraphQL's slots. */
      MEDIA_CONCURRENT_PER_ADDRESS: env.int(64, 1, 1_000_000),
      SUBSCRIBER_QUEUE_LIMIT: env.int(100, 1, 100_000),
      /** A subscriber closed as too slow (4429) has this long to read up to the close frame before its connection is cut. */
      SLOW_CONSUMER_GRACE_MS: env.int(10_000, 100, 600_000),
      PUBLIC_URL: env.optionalString(),
      /** True only when a reverse proxy of ours sets X-Forwarded-For in front of the router. */
      TRUST_PROXY: env.bool(false),
    },
    source,
  );
  return { ...c, production: c.NODE_ENV === 'production', publicUrl: c.PUBLIC_URL ?? `http://${c.HOST}:${c.PORT}` };
}

export type RouterConfig = ReturnType<typeof readConfig>;
