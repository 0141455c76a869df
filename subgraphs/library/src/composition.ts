import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import type { Connection } from 'mongoose';
import { createAuthenticator, type KeyResolver } from '@ytm/auth';
import { createKafka, EventPublisher, OutboxRelay } from '@ytm/events';
import { createApp } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { connectStore, pingMongo } from '@ytm/mongo';
import { createGrpcServer, LibraryService as LibraryGrpcService } from '@ytm/proto';
import { createSubgraphServer, type ComposedSubgraph } from '@ytm/subgraph';
import type { ServiceIdentity } from '@ytm/trust';
import type { LibraryConfig } from './config.js';
import type { Catalogue } from './domain/catalogue.js';
import { LibraryService } from './domain/library.service.js';
import { createContext } from './graphql/context.js';
import { LyricsReader } from './persistence/lyrics.reader.js';
import { resolvers } from './graphql/resolvers/index.js';
import { createLibraryHandlers } from './grpc/library.grpc-server.js';
import { artRoutes } from './http/art.routes.js';
import { scanProgressProducer } from './messaging/scan-progress.producer.js';
import { ArtFileRepository } from './persistence/art-file.repository.js';
import { loadCatalogue } from './persistence/catalogue.loader.js';
import { MongoLibraryRepository } from './persistence/library.repository.js';
import { libraryModels } from './persistence/models.js';
import { Scanner } from './scanner/scanner.js';
import { ParserPool } from './scanner/worker-pool.js';
import { LibraryWatcher } from './watcher/library.watcher.js';
import { compactHeap } from './runtime/heap.js';

const SDL = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

/** Replaceable collaborators (integration tests pass a test key resolver). */
export interface LibraryOverrides {
  resolveAccessKey?: KeyResolver;
}

export interface ComposedLibrary extends ComposedSubgraph {
  conn: Connection;
  catalogue: Catalogue;
  library: LibraryService;
  scanner: Scanner;
  watcher: LibraryWatcher;
  relay: OutboxRelay;
  store: MongoLibraryRepository;
}

/**
 * The composition root of ytm-library: builds it from its configuration (connections, catalogue
 * loaded, scanner, watcher, HTTP app, gRPC server); nothing listens, watches or scans until asked
 * (`start`: the outbox relay, then the watcher and a scan when WATCH / SCAN_ON_START).
 */
export async function composeService(
  config: LibraryConfig,
  logger: Logger,
  identity: ServiceIdentity,
  overrides: LibraryOverrides = {},
): Promise<ComposedLibrary> {
  const conn = await connectStore(config, logger);
  const publisher = new EventPublisher(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-library', logger }));
  const models = libraryModels(conn);
  await Promise.all([
    models.tracks.init(),
    models.albums.init(),
    models.artists.init(),
    models.images.init(),
    models.scans.init(),
    models.outbox.init(),
    models.staged.init(),
  ]);
  const relay = new OutboxRelay({ collections: [models.outbox.collection], publisher, logger });
  const store = new MongoLibraryRepository(models, () => relay.notify());
  const catalogue = await loadCatalogue(store, logger, { collect: compactHeap });
  const released = await store.releaseStagedEvents();
  if (released > 0) logger.warn({ batches: released }, 'released events staged before a crash');

  const art = new ArtFileRepository(config.artDir);
  // When the parsers stop after a scan, the scan's garbage is collected at once: RSS after a
  // 100,000-track scan 342 → ~260 MB instead of waiting for memory pressure (bench/library/scan.mjs).
  const pool = new ParserPool({ size: config.SCAN_WORKERS, logger, onIdleStop: compactHeap });
  const scanner = new Scanner({
    roots: config.musicRoots,
    catalogue,
    store,
    art,
    pool,
    logger,
    onProgress: scanProgressProducer(publisher, logger),
    afterFullScan: compactHeap,
  });
  await scanner.init();
  const library = new LibraryService(catalogue, scanner);
  const sortStarted = Date.now();
  library.warmListings();
  logger.info({ ms: Date.now() - sortStarted, tracks: catalogue.tracks.size }, 'catalogue sorted for the library pages');
  // Loading and sorting leave their garbage behind: collected now, before serving.
  compactHeap();
  const watcher = new LibraryWatcher({
    roots: config.musicRoots,
    rescan: (scopes) => scanner.scanFolders(scopes),
    logger,
    debounceMs: config.WATCH_DEBOUNCE_MS,
  });

  const auth = createAuthenticator(config, { logger, ...(overrides.resolveAccessKey ? { resolveKey: overrides.resolveAccessKey } : {}) });
  const subgraph = await createSubgraphServer({
    typeDefs: gql(SDL),
    resolvers,
    logger,
    production: config.production,
    authenticate: auth.authenticate,
    context: createContext({ library, scans: scanner, publicUrl: config.publicUrl, lyrics: new LyricsReader() }),
  });
  const app = createApp({
    logger,
    readiness: { mongo: () => pingMongo(conn), kafka: () => publisher.ping() },
    health: () => {
      const mem = process.memoryUsage();
      const mb = (n: number) => Math.round(n / 1_048_576);
      return {
        tracks: catalogue.tracks.size,
        scan: scanner.status().state,
        outboxPublished: relay.published,
        parserRestarts: pool.replaced,
        memoryMb: {
          rss: mb(mem.rss),
          heapTotal: mb(mem.heapTotal),
          heapUsed: mb(mem.heapUsed),
          external: mb(mem.external),
          arrayBuffers: mb(mem.arrayBuffers),
        },
      };
    },
    use: [artRoutes(art, (id) => catalogue.images.get(id))],
  });

  const grpc = createGrpcServer({ guard: identity.guard(logger) });
  grpc.server.addService(LibraryGrpcService, createLibraryHandlers(library, logger, config.musicRoots));

  return {
    name: 'library',
    sdl: SDL,
    app,
    // `/graphql` is served below Koa.
    routes: [subgraph.route],
    grpc,
    conn,
    catalogue,
    library,
    scanner,
    watcher,
    relay,
    store,
    async start() {
      relay.start();
      // The issuer's public keys fetched now, not at the first request: held, they verify tokens
      // even while the issuer's name cannot be resolved later (a DNS server restarting); a failed
      // fetch is logged and made again when a token needs the keys.
      void auth.ready().catch(() => undefined);
      if (config.WATCH) await watcher.start();
      if (config.SCAN_ON_START) scanner.start(false);
    },
    shutdown: [
      ['watcher', () => watcher.stop()],
      ['scanner', () => scanner.stop()],
      ['parsers', () => pool.close()],
      ['graphql', () => subgraph.stop()],
      ['outbox', () => relay.stop()],
      ['kafka', () => publisher.close()],
      ['mongo', () => conn.close()],
    ],
  };
}
