import { resolve } from 'node:path';
import { env, loadConfig } from '@ytm/config';

/** The only place that reads process.env. */
export function readConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = loadConfig(
    'ytm-library',
    {
      NODE_ENV: env.nodeEnv(),
      LOG_LEVEL: env.logLevel(),
      HOST: env.string('127.0.0.1'),
      /** Where other services reach this one when HOST is 0.0.0.0 or :: (default: this machine's first non-loopback address). */
      ADVERTISE_HOST: env.optionalString(),
      /** The whole base URL to register instead (behind a port mapping or proxy), e.g. http://library.internal:4001. */
      ADVERTISE_URL: env.optionalString(),
      PORT: env.port(4001),
      GRPC_PORT: env.port(50051),
      /** The ops listener (`/health`, `/ready`, `/metrics`): loopback unless opened on purpose; never published. */
      OPS_HOST: env.string('127.0.0.1'),
      OPS_PORT: env.port(9401),
      /** The router's public URL: image URLs are built on it (the router proxies /art/*). */
      PUBLIC_URL: env.url('http://127.0.0.1:4000'),
      ...env.store('ytm_library'),
      KAFKA_BROKERS: env.list('127.0.0.1:9092'),
      REGISTRY_URL: env.string('127.0.0.1:50050'),
      /** The trust material (service keys, see README "Trust between services"); `npm start`/`npm test` create it. */
      TRUST_DIR: env.string('./.ytm/trust'),
      /** This service's private key when it is mounted apart from TRUST_DIR (default TRUST_DIR/private/<service>.key.pem). */
      SERVICE_KEY_FILE: env.optionalString(),
      JWKS_URL: env.url('http://127.0.0.1:4002/.well-known/jwks.json'),
      JWT_ISSUER: env.string('ytm-resource'),
      JWT_AUDIENCE: env.string('ytm'),
      /** Comma-separated music roots. */
      MUSIC_DIR: env.list('./music'),
      /** Where cover art and thumbnails are stored (content-addressed files). */
      ART_DIR: env.string('./.ytm/library-art'),
      SCAN_ON_START: env.bool(true),
      WATCH: env.bool(true),
      /** Parser threads; 0 = one per available core. */
      SCAN_WORKERS: env.int(0, 0, 64),
      WATCH_DEBOUNCE_MS: env.int(300, 10, 10_000),
    },
    source,
  );
  return {
    ...c,
    production: c.NODE_ENV === 'production',
    musicRoots: c.MUSIC_DIR.map((d) => resolve(d)),
    artDir: resolve(c.ART_DIR),
    publicUrl: c.PUBLIC_URL.replace(/\/+$/, ''),
  };
}

export type LibraryConfig = ReturnType<typeof readConfig>;
