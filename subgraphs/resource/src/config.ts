import { availableParallelism } from 'node:os';
import { env, loadConfig, z } from '@ytm/config';

/** The only place that reads process.env. */
export function readConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = loadConfig(
    'ytm-resource',
    {
      NODE_ENV: env.nodeEnv(),
      LOG_LEVEL: env.logLevel(),
      HOST: env.string('127.0.0.1'),
      /** Where other services reach this one when HOST is 0.0.0.0 or :: (default: this machine's first non-loopback address). */
      ADVERTISE_HOST: env.optionalString(),
      /** The whole base URL to register instead (behind a port mapping or proxy), e.g. http://library.internal:4001. */
      ADVERTISE_URL: env.optionalString(),
      PORT: env.port(4002),
      GRPC_PORT: env.port(50052),
      /** The ops listener (`/health`, `/ready`, `/metrics`): loopback unless opened on purpose; never published. */
      OPS_HOST: env.string('127.0.0.1'),
      OPS_PORT: env.port(9402),
      PUBLIC_URL: env.optionalString(),
      ...env.store('ytm_resource'),
      KAFKA_BROKERS: env.list('127.0.0.1:9092'),
      REGISTRY_URL: env.string('127.0.0.1:50050'),
      /** The trust material (service keys, see README "Trust between services"); `npm start`/`npm test` create it. */
      TRUST_DIR: env.string('./.ytm/trust'),
      /** This service's private key when it is mounted apart from TRUST_DIR (default TRUST_DIR/private/<service>.key.pem). */
      SERVICE_KEY_FILE: env.optionalString(),
      STREAM_GRPC_URL: env.string('127.0.0.1:50053'),
      LIBRARY_GRPC_URL: env.string('127.0.0.1:50051'),
      JWT_ISSUER: env.string('ytm-resource'),
      JWT_AUDIENCE: env.string('ytm'),
      ACCESS_TOKEN_TTL_MINUTES: env.int(15, 1, 60),
      /**
       * The access-token lifetime in seconds instead (10–3600), when set: for tests that need a
       * token to expire while they watch (the web tests' 4401 reconnect). Production keeps minutes.
       */
      ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(3_600).optional(),
      REFRESH_TOKEN_TTL_DAYS: env.int(30, 1, 365),
      BCRYPT_COST: env.int(12, 12, 15),
      ADMIN_EMAIL: env.optionalString(),
      ADMIN_PASSWORD: env.optionalString(),
      // Sign-in throttling (see README, "Sign-in throttling").
      SIGNIN_MAX_FAILURES_PER_ACCOUNT: env.int(10, 1, 1_000),
      SIGNIN_MAX_FAILURES_PER_ADDRESS: env.int(100, 1, 1_000_000),
      SIGNIN_FAILURE_WINDOW_MINUTES: env.int(15, 1, 24 * 60),
      /**
       * bcrypt hashes at once and how many may wait for one. The default leaves one core to the
       * event loop and the database (cores − 1, at least 1): on 2 cores, two hashing threads —
       * even at nice 19 — put `me` p99 at 87–120 ms during a sign-in storm, one thread at 21–34 ms
       * (bench/resource/signin.mjs).
       */
      PASSWORD_HASH_CONCURRENCY: env.int(Math.max(1, availableParallelism() - 1), 1, 256),
      PASSWORD_HASH_QUEUE: env.int(256, 0, 100_000),
      /** CPU priority of the bcrypt threads: 19 keeps the event loop first; lower trades that for sign-in throughput on a busy host. */
      PASSWORD_HASH_NICE: env.int(19, 0, 19),
      SIGNIN_THROTTLE_STORE: z.enum(['memory', 'mongo']).default('memory'),
      /** Delay between publishing a new signing key in the JWKS and signing with it. */
      SIGNING_KEY_ACTIVATION_DELAY_SECONDS: env.int(90, 0, 86_400),
      KAFKA_GROUP_ID: env.string('ytm-resource'),
      /** Consumed event IDs are remembered this long: longer than the topics' retention (Kafka default 7 days). */
      PROCESSED_EVENTS_RETENTION_DAYS: env.int(8, 1, 3_650),
      KAFKA_FROM_BEGINNING: env.bool(true),
      LIBRARY_DEADLINE_MS: env.int(2_000, 50, 60_000),
      /**
       * How long GraphQL's users (`me`, `User`) and liked sets (`Track.liked`, `likedTracks`) are
       * shown from memory at most before the store is asked again; 0 never. Changes reach every
       * replica within their announcement's delivery; this bounds what a lost one leaves stale.
       */
      USER_CACHE_MAX_AGE_MS: env.int(10_000, 0, 600_000),
      /** Where M3U8 entries point; `{id}` is replaced by the track ID. */
      M3U_ENTRY_URL: env.string('ytm:track:{id}'),
    },
    source,
  );
  if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
    throw new Error('ytm-resource: invalid configuration:\n  - ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  return {
    ...c,
    production: c.NODE_ENV === 'production',
    publicUrl: c.PUBLIC_URL ?? `http://${c.HOST}:${c.PORT}`,
    /** How long an access token lives: ACCESS_TOKEN_TTL_SECONDS when set, else ACCESS_TOKEN_TTL_MINUTES. */
    accessTokenTtlSec: c.ACCESS_TOKEN_TTL_SECONDS ?? c.ACCESS_TOKEN_TTL_MINUTES * 60,
  };
}

export type ResourceConfig = ReturnType<typeof readConfig>;
export { z };
