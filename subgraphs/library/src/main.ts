import { createAccessTokenVerifier, createJwksKeyResolver } from '@ytm/auth';
import { createKafka, EventPublisher } from '@ytm/events';
import { createLogger } from '@ytm/logger';
import { connectMongo } from '@ytm/mongo';
import { runSubgraph } from '@ytm/subgraph';
import { ServiceIdentity } from '@ytm/trust';
import { readConfig } from './config.js';
import { buildLibraryApp, librarySdl } from './library.app.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-library', level: config.LOG_LEVEL });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'library', keyFile: config.SERVICE_KEY_FILE });

const conn = await connectMongo({ url: config.MONGODB_URL, dbName: config.MONGODB_DB, logger });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-library', logger });
const publisher = new EventPublisher(kafka);
const verifyAccessToken = createAccessTokenVerifier({
  resolveKey: createJwksKeyResolver({ url: config.JWKS_URL, onError: (err) => logger.warn({ err: (err as Error).message }, 'JWKS fetch failed') }),
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});

const lib = await buildLibraryApp({
  conn,
  publisher,
  verifyAccessToken,
  logger,
  musicRoots: config.musicRoots,
  artDir: config.artDir,
  publicUrl: config.publicUrl,
  production: config.production,
  grpcGuard: identity.guard(logger),
  scanWorkers: config.SCAN_WORKERS,
  watchDebounceMs: config.WATCH_DEBOUNCE_MS,
});

await runSubgraph({
  name: 'library',
  version: '0.1.0',
  logger,
  app: lib.app,
  host: config.HOST,
  advertise: { host: config.ADVERTISE_HOST, url: config.ADVERTISE_URL },
  port: config.PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  grpc: { server: lib.grpc, port: config.GRPC_PORT },
  credentials: identity,
  registryUrl: config.REGISTRY_URL,
  sdl: librarySdl,
  shutdown: [...lib.shutdown, ['kafka', () => publisher.close()], ['mongo', () => conn.close()]],
});

if (config.WATCH) await lib.watcher.start();
if (config.SCAN_ON_START) lib.scanner.start(false);
