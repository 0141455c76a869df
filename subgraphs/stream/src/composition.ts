import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { gql } from 'graphql-tag';
import type { Connection } from 'mongoose';
import { createAuthenticator, type KeyResolver } from '@ytm/auth';
import { createKafka, EventPublisher, OutboxRelay } from '@ytm/events';
import { createApp } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { connectStore, getOrCreateSecret, pingMongo } from '@ytm/mongo';
import { createGrpcServer, StreamService } from '@ytm/proto';
import { createSubgraphServer, type ComposedSubgraph } from '@ytm/subgraph';
import type { ServiceIdentity } from '@ytm/trust';
import type { StreamConfig } from './config.js';
import { HmacTicketSigner } from './crypto/ticket-signer.js';
import { PlayTracker } from './domain/play-tracker.js';
import { PlaybackService } from './domain/playback.service.js';
import { TicketAccessService } from './domain/ticket-access.service.js';
import type { TrackFiles } from './domain/ports.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers/index.js';
import { libraryTrackFiles } from './grpc/library.grpc-client.js';
import { streamGrpcServer } from './grpc/stream.grpc-server.js';
import { ActiveStreams } from './http/active-streams.js';
import { ReadBudget } from './http/file-range-readable.js';
import { BufferPool } from './http/buffer-pool.js';
import { SendScheduler } from './http/send-scheduler.js';
import { StreamHousekeeping } from './persistence/housekeeping.js';
import { streamRoutes } from './http/stream.routes.js';
import { playModel } from './persistence/play.model.js';
import { MongoPlayRepository } from './persistence/play.repository.js';
import { Lease } from './persistence/lease.js';
import { PlayFolder } from './persistence/play-folder.js';
import { PlayCountFeed, PlayCountView } from './persistence/play-count-view.js';
import { playStatsModels } from './persistence/play-stats.model.js';
import { ticketModel } from './persistence/ticket.model.js';
import { MongoTicketRepository } from './persistence/ticket.repository.js';
import { TicketQuota, ticketQuotaModel } from './persistence/ticket-quota.js';
import { revokedSessionModel } from './persistence/revoked-session.model.js';
import { MongoSessionRevocations } from './persistence/revoked-session.repository.js';
import { checkFfmpeg, type FfmpegInfo } from './transcode/ffmpeg.js';
import { SlotLimiter } from './transcode/slot-limiter.js';
import { TranscodeCache } from './transcode/transcode-cache.js';
import { Transcoder } from './transcode/transcoder.js';

const SDL = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

/** Replaceable collaborators (integration tests pass a test key resolver). */
export interface StreamOverrides {
  resolveAccessKey?: KeyResolver;
  trackFiles?: TrackFiles & { close?(): void };
}

export interface ComposedStream extends ComposedSubgraph {
  conn: Connection;
  playback: PlaybackService;
  access: TicketAccessService;
  plays: PlayTracker;
  active: ActiveStreams;
  relay: OutboxRelay;
  folder: PlayFolder;
  playCounts: PlayCountView;
  housekeeping: StreamHousekeeping;
  transcoder: Transcoder;
  limiter: SlotLimiter;
  ffmpeg: FfmpegInfo;
}

/**
 * The composition root of ytm-stream: builds it from its configuration (ffmpeg checked,
 * connections, services, HTTP app and gRPC server); nothing listens or runs in the background
 * until asked (`start`).
 */
export async function composeService(
  config: StreamConfig,
  logger: Logger,
  identity: ServiceIdentity,
  overrides: StreamOverrides = {},
): Promise<ComposedStream> {
  // Before any connection: an unusable ffmpeg stops the start with one message (FfmpegUnusableError).
  const ffmpeg = await checkFfmpeg(config.FFMPEG_PATH ?? 'ffmpeg');
  const transcodeCache = new TranscodeCache(config.transcodeCacheDir, config.TRANSCODE_CACHE_MB * 1024 * 1024, logger);
  transcodeCache.init();
  const limiter = new SlotLimiter(config.MAX_TRANSCODES, config.TRANSCODE_QUEUE_LENGTH, config.TRANSCODE_QUEUE_WAIT_MS);
  const transcoder = new Transcoder({
    ffmpeg: ffmpeg.path,
    limiter,
    cache: transcodeCache,
    nice: config.TRANSCODE_NICE,
    stallMs: config.TRANSCODE_STALL_SECONDS * 1000,
    logger,
  });
  logger.info({ ffmpeg: ffmpeg.path, version: ffmpeg.version, maxTranscodes: config.MAX_TRANSCODES, cacheDir: config.transcodeCacheDir }, 'ffmpeg ready');
  const conn = await connectStore(config, logger);
  const tickets = ticketModel(conn);
  const ticketQuota = ticketQuotaModel(conn);
  const playDocs = playModel(conn);
  const revokedSessions = revokedSessionModel(conn);
  const stats = playStatsModels(conn);
  await Promise.all([
    tickets.init(),
    ticketQuota.init(),
    playDocs.init(),
    revokedSessions.init(),
    stats.pending.init(),
    stats.counts.init(),
    stats.recent.init(),
    stats.leases.init(),
  ]);

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-stream', logger });
  const publisher = new EventPublisher(kafka);
  const relay = new OutboxRelay({ collections: [stats.pending.collection], publisher, logger });
  const playCountChanges = conn.collection('play_count_changes');
  const playCounts = new PlayCountView({ models: stats, changes: playCountChanges, logger });
  const folder = new PlayFolder({
    models: stats,
    history: playDocs,
    lease: new Lease(stats.leases, 'play-folder', `${hostname()}:${process.pid}:${randomUUID()}`, 30_000),
    feed: new PlayCountFeed(playCountChanges, playCounts),
    logger,
  });
  const ticketRepository = new MongoTicketRepository(tickets, new TicketQuota(ticketQuota), config.TICKET_MAX_TTL_SECONDS * 1000);
  const playRepository = new MongoPlayRepository(
    stats,
    () => {
      relay.notify();
      folder.notify();
    },
    playCounts,
  );

  const signer = new HmacTicketSigner(await getOrCreateSecret(conn, 'ticket-signing-key'));
  const trackFiles =
    overrides.trackFiles ??
    libraryTrackFiles({ address: config.LIBRARY_GRPC_URL, caller: identity, deadlineMs: config.LIBRARY_DEADLINE_MS, cacheMs: config.TRACK_FILE_CACHE_MS });
  const clock = { now: () => new Date() };
  const access = new TicketAccessService({ signer, tickets: ticketRepository, trackFiles, clock, revocationCheckMs: config.TICKET_REVOCATION_CHECK_MS });
  const active = new ActiveStreams(
    (ids) => ticketRepository.findRevoked(ids),
    (ids) => access.markRevoked(ids),
    (ids, at) => access.confirm(ids, at),
    logger,
    config.TICKET_REVOCATION_CHECK_MS,
  );
  const plays = new PlayTracker(playRepository, logger);
  const housekeeping = new StreamHousekeeping({
    tickets,
    quota: ticketQuota,
    revokedSessions,
    plays: playDocs,
    ticketRetentionMs: config.TICKET_RETENTION_HOURS * 3_600_000,
    ticketMaxLifetimeMs: config.TICKET_MAX_TTL_SECONDS * 1000,
    playRetentionMs: config.PLAY_HISTORY_RETENTION_DAYS * 86_400_000,
  });
  const playback = new PlaybackService({
    tickets: ticketRepository,
    plays: playRepository,
    sessions: new MongoSessionRevocations(revokedSessions),
    trackFiles,
    signer,
    clock,
    rules: config.planRules,
    publicUrl: config.publicUrl,
    marginSeconds: config.TICKET_MARGIN_SECONDS,
    maxTtlSeconds: config.TICKET_MAX_TTL_SECONDS,
    sessionMemoryMs: config.SESSION_MEMORY_MINUTES * 60_000,
    onIssued: (id, at) => access.confirm([id], at.getTime()),
    onRevoked: (ids) => {
      access.markRevoked(ids);
      active.revoke(ids);
    },
  });

  const auth = createAuthenticator(config, { logger, ...(overrides.resolveAccessKey ? { resolveKey: overrides.resolveAccessKey } : {}) });
  const subgraph = await createSubgraphServer({
    typeDefs: gql(SDL),
    resolvers,
    logger,
    production: config.production,
    authenticate: auth.authenticate,
    context: createContext(playback),
  });

  const budget = new ReadBudget(config.READ_TURN_BUDGET_KB * 1024, config.READ_CHUNK_MIN_KB * 1024, config.READ_CHUNK_MAX_KB * 1024);
  const app = createApp({
    logger,
    readiness: { mongo: () => pingMongo(conn), kafka: () => publisher.ping() },
    health: () => ({
      outboxPublished: relay.published,
      openStreams: active.count,
      trackedPlays: plays.size,
      playsFolded: folder.foldedTotal,
      transcodes: { running: transcoder.processes, waiting: limiter.waiting, cachedBytes: transcodeCache.bytes, cached: transcodeCache.count },
    }),
  });

  // The Range endpoint (see streamRoutes) and `/graphql` are served below Koa; everything else goes through the app.
  const routes = [
    streamRoutes({
      logger,
      access,
      plays,
      active,
      authenticate: auth.authenticate,
      maxParts: config.RANGE_MAX_PARTS,
      budget,
      buffers: new BufferPool(),
      scheduler: new SendScheduler(config.READ_TURN_BUDGET_KB * 1024),
      firstChunk: config.READ_FIRST_CHUNK_KB * 1024,
      fileIo: config.FILE_IO,
      clientStallMs: config.CLIENT_STALL_SECONDS * 1000,
      transcoder,
    }),
    subgraph.route,
  ];

  const grpc = createGrpcServer({ guard: identity.guard(logger) });
  grpc.server.addService(StreamService, streamGrpcServer(playback, logger));

  let timers: NodeJS.Timeout[] = [];
  return {
    name: 'stream',
    sdl: SDL,
    app,
    routes,
    grpc,
    conn,
    playback,
    access,
    plays,
    active,
    relay,
    folder,
    playCounts,
    housekeeping,
    transcoder,
    limiter,
    ffmpeg,
    async start() {
      if (timers.length > 0) return;
      relay.start();
      // The issuer's public keys fetched now, not at the first request: held, they verify tokens
      // even while the issuer's name cannot be resolved later (a DNS server restarting); a failed
      // fetch is logged and made again when a token needs the keys.
      void auth.ready().catch(() => undefined);
      folder.start();
      playCounts.start();
      timers = [
        setInterval(() => plays.sweep(), 60_000).unref(),
        setInterval(() => void housekeeping.pruneAndLog(logger), config.HOUSEKEEPING_INTERVAL_MINUTES * 60_000).unref(),
      ];
    },
    shutdown: [
      [
        'timers',
        async () => {
          for (const timer of timers) clearInterval(timer);
          active.stop();
        },
      ],
      ['graphql', () => subgraph.stop()],
      ['play-folder', () => folder.stop()],
      ['play-counts', () => playCounts.stop()],
      ['outbox', () => relay.stop()],
      ['kafka', () => publisher.close()],
      ['library-client', async () => trackFiles.close?.()],
      ['mongo', () => conn.close()],
      [
        'transcodes',
        async () => {
          await transcoder.stop();
          transcodeCache.flush();
        },
      ],
    ],
  };
}
