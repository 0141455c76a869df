import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import type { Connection } from 'mongoose';
import type { AccessTokenVerifier } from '@ytm/auth';
import { OutboxRelay, type EventPublisher } from '@ytm/events';
import { createApp, type ServiceApp, type ShutdownStep } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { pingMongo } from '@ytm/mongo';
import { createGrpcServer, LibraryService as LibraryGrpcService, type CallGuard, type GrpcServer } from '@ytm/proto';
import { createSubgraphServer } from '@ytm/subgraph';
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

export const librarySdl = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

export interface LibraryAppOptions {
  conn: Connection;
  publisher: Pick<EventPublisher, 'send' | 'ping'>;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
  musicRoots: string[];
  artDir: string;
  publicUrl: string;
  production: boolean;
  /** Admits gRPC calls by the caller's service identity (`ServiceIdentity.guard`). */
  grpcGuard: CallGuard;
  scanWorkers?: number;
  watchDebounceMs?: number;
}

export interface LibraryApp {
  app: ServiceApp;
  grpc: GrpcServer;
  catalogue: Catalogue;
  library: LibraryService;
  scanner: Scanner;
  watcher: LibraryWatcher;
  relay: OutboxRelay;
  store: MongoLibraryRepository;
  /** Stops everything this built, in order (not the connection or the publisher it was given). */
  shutdown: ShutdownStep[];
}

/**
 * Builds the whole service around a database connection and a publisher: catalogue loaded,
 * outbox relay started, scanner, watcher (not started), HTTP app and gRPC server (not listening).
 */
export async function buildLibraryApp(o: LibraryAppOptions): Promise<LibraryApp> {
  const { logger } = o;
  const models = libraryModels(o.conn);
  await Promise.all([
    models.tracks.init(),
    models.albums.init(),
    models.artists.init(),
    models.images.init(),
    models.scans.init(),
    models.outbox.init(),
    models.staged.init(),
  ]);
  const relay = new OutboxRelay({ collections: [models.outbox.collection], publisher: o.publisher, logger });
  const store = new MongoLibraryRepository(models, () => relay.notify());
  const catalogue = await loadCatalogue(store, logger, { collect: compactHeap });
  compactHeap();
  const released = await store.releaseStagedEvents();
  if (released > 0) logger.warn({ batches: released }, 'released events staged before a crash');
  relay.start();

  const art = new ArtFileRepository(o.artDir);
  // When the parsers stop after a scan, the scan's garbage is collected at once: RSS after a
  // 100,000-track scan 342 → ~260 MB instead of waiting for memory pressure (bench/library/scan.mjs).
  const pool = new ParserPool({ size: o.scanWorkers ?? 0, logger, onIdleStop: compactHeap });
  const scanner = new Scanner({
    roots: o.musicRoots,
    catalogue,
    store,
    art,
    pool,
    logger,
    onProgress: scanProgressProducer(o.publisher, logger),
    afterFullScan: compactHeap,
  });
  await scanner.init();
  const library = new LibraryService(catalogue, scanner);
  const watcher = new LibraryWatcher({ roots: o.musicRoots, rescan: (scopes) => scanner.scanFolders(scopes), logger, debounceMs: o.watchDebounceMs ?? 300 });

  const subgraph = await createSubgraphServer({
    typeDefs: gql(librarySdl),
    resolvers,
    logger,
    production: o.production,
    verifyAccessToken: o.verifyAccessToken,
    context: createContext({ library, scans: scanner, publicUrl: o.publicUrl, lyrics: new LyricsReader() }),
  });
  const app = createApp({
    logger,
    readiness: { mongo: () => pingMongo(o.conn), kafka: () => o.publisher.ping() },
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
  });
  app.use(artRoutes(art, (id) => catalogue.images.get(id)));
  app.use(async (ctx, next) => {
    if (ctx.path === '/graphql') await subgraph.middleware(ctx, next);
    else await next();
  });

  const grpc = createGrpcServer({ guard: o.grpcGuard });
  grpc.server.addService(LibraryGrpcService, createLibraryHandlers(library, logger, o.musicRoots));

  return {
    app,
    grpc,
    catalogue,
    library,
    scanner,
    watcher,
    relay,
    store,
    shutdown: [
      ['watcher', () => watcher.stop()],
      ['scanner', () => scanner.stop()],
      ['parsers', () => pool.close()],
      ['graphql', () => subgraph.stop()],
      ['outbox', () => relay.stop()],
    ],
  };
}
