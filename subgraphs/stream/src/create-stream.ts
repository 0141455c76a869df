import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import type Koa from 'koa';
import type { Connection } from 'mongoose';
import { createAccessTokenVerifier, createJwksKeyResolver, type KeyResolver } from '@ytm/auth';
import { createKafka, EventPublisher, OutboxRelay } from '@ytm/events';
import { createApp, type AppState, type ShutdownStep } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { connectMongo, pingMongo } from '@ytm/mongo';
import { createGrpcServer, StreamService, type GrpcServer } from '@ytm/proto';
import { createSubgraphServer } from '@ytm/subgraph';
import type { StreamConfig } from './config.js';
import { HmacTicketSigner } from './crypto/ticket-signer.js';
import { PlaybackService } from './domain/playback.service.js';
import type { TrackFiles } from './domain/ports.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers/index.js';
import { libraryTrackFiles } from './grpc/library.grpc-client.js';
import { streamGrpcServer } from './grpc/stream.grpc-server.js';
import { secretModel } from './persistence/secret.model.js';
import { MongoSecretRepository } from './persistence/secret.repository.js';
import { ticketModel } from './persistence/ticket.model.js';
import { MongoTicketRepository } from './persistence/ticket.repository.js';
import { revokedSessionModel, usageModel } from './persistence/usage.model.js';
import { MongoSessionRevocations, MongoUsageRepository } from './persistence/usage.repository.js';

export const SDL = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

/** Replaceable collaborators (integration tests pass a test key resolver). */
export interface StreamOverrides {
  resolveAccessKey?: KeyResolver;
  trackFiles?: TrackFiles & { close?(): void };
}

export interface StreamParts {
  app: Koa<AppState>;
  grpc: GrpcServer;
  conn: Connection;
  playback: PlaybackService;
  relay: OutboxRelay;
  /** Steps to run after the servers stopped, in order. */
  shutdown: ShutdownStep[];
}

/** Builds ytm-stream from its configuration: connections, services, HTTP app and gRPC server. */
export async function createStream(config: StreamConfig, logger: Logger, overrides: StreamOverrides = {}): Promise<StreamParts> {
  const conn = await connectMongo({ url: config.MONGODB_URL, dbName: config.MONGODB_DB, logger });
  const tickets = ticketModel(conn);
  const usage = usageModel(conn);
  const revokedSessions = revokedSessionModel(conn);
  await Promise.all([tickets.init(), usage.init(), revokedSessions.init()]);

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-stream', logger });
  const publisher = new EventPublisher(kafka);
  const relay = new OutboxRelay({ collections: [tickets.collection], publisher, logger });
  const ticketRepository = new MongoTicketRepository(tickets, () => relay.notify());

  const signer = new HmacTicketSigner(await new MongoSecretRepository(secretModel(conn)).getOrCreate('ticket-signing-key'));
  const trackFiles = overrides.trackFiles ?? libraryTrackFiles({ address: config.LIBRARY_GRPC_URL, deadlineMs: config.LIBRARY_DEADLINE_MS, cacheMs: config.TRACK_FILE_CACHE_MS });
  const playback = new PlaybackService({
    tickets: ticketRepository,
    usage: new MongoUsageRepository(usage),
    sessions: new MongoSessionRevocations(revokedSessions),
    trackFiles,
    signer,
    clock: { now: () => new Date() },
    rules: config.planRules,
    publicUrl: config.publicUrl,
    marginSeconds: config.TICKET_MARGIN_SECONDS,
    maxTtlSeconds: config.TICKET_MAX_TTL_SECONDS,
  });

  const resolveKey =
    overrides.resolveAccessKey ?? createJwksKeyResolver({ url: config.JWKS_URL, onError: (err) => logger.warn({ err: (err as Error).message }, 'JWKS fetch failed') });
  const verifyAccessToken = createAccessTokenVerifier({ resolveKey, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
  const subgraph = await createSubgraphServer({
    typeDefs: gql(SDL),
    resolvers,
    logger,
    production: config.production,
    verifyAccessToken,
    context: createContext(playback),
  });

  const app = createApp({
    logger,
    readiness: { mongo: () => pingMongo(conn), kafka: () => publisher.ping() },
    health: () => ({ outboxPublished: relay.published }),
  });
  app.use(async (ctx, next) => (ctx.path === '/graphql' ? subgraph.middleware(ctx, next) : next()));

  const grpc = createGrpcServer();
  grpc.server.addService(StreamService, streamGrpcServer(playback, logger));
  relay.start();

  return {
    app,
    grpc,
    conn,
    playback,
    relay,
    shutdown: [
      ['graphql', () => subgraph.stop()],
      ['outbox', () => relay.stop()],
      ['kafka', () => publisher.close()],
      ['library-client', async () => trackFiles.close?.()],
      ['mongo', () => conn.close()],
    ],
  };
}
