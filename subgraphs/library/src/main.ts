import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import { createAccessTokenVerifier, createJwksKeyResolver } from '@ytm/auth';
import { createKafka, EventPublisher, OutboxRelay } from '@ytm/events';
import { createApp } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { connectMongo, pingMongo } from '@ytm/mongo';
import { createGrpcServer, LibraryService as LibraryGrpcService, SERVICE_NAMES } from '@ytm/proto';
import { createSubgraphServer, runSubgraph } from '@ytm/subgraph';
import { readConfig } from './config.js';
import { LibraryService } from './domain/library.service.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers/index.js';
import { createLibraryHandlers } from './grpc/library.grpc-server.js';
import { artRoutes } from './http/art.routes.js';
import { scanProgressProducer } from './messaging/scan-progress.producer.js';
import { ArtFileRepository } from './persistence/art-file.repository.js';
import { loadCatalogue } from './persistence/catalogue.loader.js';
import { libraryModels } from './persistence/models.js';
import { MongoLibraryRepository } from './persistence/library.repository.js';
import { Scanner } from './scanner/scanner.js';
import { ParserPool } from './scanner/worker-pool.js';
import { LibraryWatcher } from './watcher/library.watcher.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-library', level: config.LOG_LEVEL });
const sdl = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

const conn = await connectMongo({ url: config.MONGODB_URL, dbName: config.MONGODB_DB, logger });
const models = libraryModels(conn);
await Promise.all(Object.values(models).map((m) => m.init()));

const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-library', logger });
const publisher = new EventPublisher(kafka);
const relay = new OutboxRelay({ collections: [models.outbox.collection], publisher, logger });
const store = new MongoLibraryRepository(models, () => relay.notify());
const catalogue = await loadCatalogue(store, logger);
const released = await store.releaseStagedEvents();
if (released > 0) logger.warn({ batches: released }, 'released events staged before a crash');
relay.start();

const art = new ArtFileRepository(config.artDir);
const pool = new ParserPool({ size: config.SCAN_WORKERS, logger });
const scanner = new Scanner({ roots: config.musicRoots, catalogue, store, art, pool, logger, onProgress: scanProgressProducer(publisher, logger) });
await scanner.init();
const library = new LibraryService(catalogue, scanner);
const watcher = new LibraryWatcher({ roots: config.musicRoots, rescan: (scopes) => scanner.scanFolders(scopes), logger, debounceMs: config.WATCH_DEBOUNCE_MS });

const verifyAccessToken = createAccessTokenVerifier({
  resolveKey: createJwksKeyResolver({ url: config.JWKS_URL, onError: (err) => logger.warn({ err: (err as Error).message }, 'JWKS fetch failed') }),
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});
const subgraph = await createSubgraphServer({
  typeDefs: gql(sdl),
  resolvers,
  logger,
  production: config.production,
  verifyAccessToken,
  context: createContext({ library, scans: scanner, publicUrl: config.publicUrl }),
});
const app = createApp({
  logger,
  readiness: { mongo: () => pingMongo(conn), kafka: () => publisher.ping() },
  health: () => ({ tracks: catalogue.tracks.size, scan: scanner.status().state, outboxPublished: relay.published, parserRestarts: pool.replaced }),
});
app.use(artRoutes(art, (id) => catalogue.images.get(id)));
app.use(async (ctx, next) => (ctx.path === '/graphql' ? subgraph.middleware(ctx, next) : next()));

const grpc = createGrpcServer();
grpc.server.addService(LibraryGrpcService, createLibraryHandlers(library, logger));

await runSubgraph({
  name: 'library',
  version: '0.1.0',
  logger,
  app,
  host: config.HOST,
  port: config.PORT,
  grpc: { server: grpc, port: config.GRPC_PORT, serviceName: SERVICE_NAMES.library },
  registryUrl: config.REGISTRY_URL,
  sdl,
  shutdown: [
    ['watcher', () => watcher.stop()],
    ['scanner', () => scanner.idle()],
    ['parsers', () => pool.close()],
    ['graphql', () => subgraph.stop()],
    ['outbox', () => relay.stop()],
    ['kafka', () => publisher.close()],
    ['mongo', () => conn.close()],
  ],
});

if (config.WATCH) await watcher.start();
if (config.SCAN_ON_START) scanner.start(false);
