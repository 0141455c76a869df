import { env, loadConfig } from '@ytm/config';

/** The only place that reads process.env. */
export function readConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = loadConfig(
    'ytm-subsonic',
    {
      NODE_ENV: env.nodeEnv(),
      LOG_LEVEL: env.logLevel(),
      HOST: env.string('127.0.0.1'),
      /** Where the router reaches this service when HOST is 0.0.0.0 or :: (default: this machine's first non-loopback address). */
      ADVERTISE_HOST: env.optionalString(),
      /** The whole base URL to register instead (behind a port mapping or proxy). */
      ADVERTISE_URL: env.optionalString(),
      PORT: env.port(4004),
      /** The ops listener (/health with details, /ready, /metrics): loopback unless opened on purpose. */
      OPS_HOST: env.string('127.0.0.1'),
      OPS_PORT: env.port(9404),
      /** The router: the public GraphQL API (`/graphql`), audio (`/stream/*`) and art (`/art/*`). */
      ROUTER_URL: env.url('http://127.0.0.1:4000'),
      RESOURCE_GRPC_URL: env.string('127.0.0.1:50052'),
      KAFKA_BROKERS: env.list('127.0.0.1:9092'),
      /** Service identities (README, "Trust between services"): the subsonic key signs its gRPC calls. */
      TRUST_DIR: env.string('./.ytm/trust'),
      SERVICE_KEY_FILE: env.optionalString(),
      REGISTRY_URL: env.string('127.0.0.1:50050'),
      /** How long a verified API key is trusted without asking resource again (revocations arrive by event at once). */
      API_KEY_CACHE_SECONDS: env.int(20, 0, 50),
      /** How long a verified legacy password (`p`) is remembered, so bcrypt runs once, not per request. */
      PASSWORD_CACHE_MINUTES: env.int(5, 0, 60),
      /** Failed sign-ins (keys and passwords) per client address and window before answers are refused unchecked. */
      AUTH_FAILURES_PER_ADDRESS: env.int(30, 1, 1_000_000),
      AUTH_FAILURE_WINDOW_MINUTES: env.int(15, 1, 24 * 60),
      RESOURCE_DEADLINE_MS: env.int(15_000, 100, 60_000),
      GRAPHQL_TIMEOUT_MS: env.int(15_000, 100, 120_000),
      BODY_LIMIT_BYTES: env.int(1_000_000, 1_000, 100_000_000),
      /** Shown in `helpUrl` of error 41/42: where users create an API key. */
      HELP_URL: env.optionalString(),
    },
    source,
  );
  return { ...c, production: c.NODE_ENV === 'production' };
}

export type SubsonicConfig = ReturnType<typeof readConfig>;
