import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import type { Connection } from 'mongoose';
import { createAuthenticator } from '@ytm/auth';
import { createKafka, EventPublisher, mongoProcessedEvents, OutboxRelay, type RunningConsumer } from '@ytm/events';
import { counter, createApp } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { connectStore, getOrCreateSecret, pingMongo } from '@ytm/mongo';
import { createGrpcServer, ResourceService } from '@ytm/proto';
import { createSubgraphServer, type ComposedSubgraph } from '@ytm/subgraph';
import type { ServiceIdentity } from '@ytm/trust';
import type { ResourceConfig } from './config.js';
import { BoundedPasswordHasher } from './crypto/bounded-password-hasher.js';
import { LowPriorityBcrypt, threadPoolBcrypt } from './crypto/low-priority-bcrypt.js';
import { BcryptPasswordHasher } from './crypto/password-hasher.js';
import { KeyRing } from './crypto/key-ring.js';
import { refreshTokens } from './crypto/refresh-tokens.js';
import { apiKeySecrets } from './crypto/api-key-secrets.js';
import { AccountService } from './domain/account.service.js';
import { AnnotationService } from './domain/annotation.service.js';
import { ApiKeyService } from './domain/api-key.service.js';
import { LikeService } from './domain/like.service.js';
import { PlanService } from './domain/plan.service.js';
import { PlayQueueService } from './domain/play-queue.service.js';
import { PlaylistService } from './domain/playlist.service.js';
import { UserDirectoryService } from './domain/user-directory.service.js';
import { UserService } from './domain/user.service.js';
import type { TrackCatalog } from './domain/track-catalog.js';
import type { Clock, PasswordHasher, PlaybackRevoker } from './domain/ports.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers/index.js';
import { libraryTrackCatalog } from './grpc/library.grpc-client.js';
import { resourceGrpcServer } from './grpc/resource.grpc-server.js';
import { streamPlaybackRevoker } from './grpc/stream.grpc-client.js';
import { authRoutes } from './http/auth.routes.js';
import { playlistExportRoutes } from './http/playlist-export.routes.js';
import { startLibraryTrackConsumer } from './messaging/library-track.consumer.js';
import { startUserChangeFeed, type UserChangeFeed } from './messaging/user-changes.js';
import { MongoAnnotationRepository } from './persistence/annotation.repository.js';
import { MongoApiKeyRepository } from './persistence/api-key.repository.js';
import { ResourceHousekeeping } from './persistence/housekeeping.js';
import { MongoLikeRepository } from './persistence/like.repository.js';
import { MongoPlayQueueRepository } from './persistence/play-queue.repository.js';
import { PLAYLIST_HEADS, PLAYLIST_STATES, PLAYLIST_VERSIONS } from './persistence/playlist.model.js';
import { MongoPlaylistRepository } from './persistence/playlist.repository.js';
import { pruneReadModels, READ_MODEL_INTENTS, READ_MODELS } from './persistence/read-model.js';
import { ReadModelIntents } from './persistence/read-model-intents.js';
import { MongoRemovedTrackRepository } from './persistence/removed-track.repository.js';
import { sessionModel } from './persistence/session.model.js';
import { MongoSessionRepository } from './persistence/session.repository.js';
import { signingKeyModel } from './persistence/signing-key.model.js';
import { MongoSigningKeyRepository } from './persistence/signing-key.repository.js';
import { userModel } from './persistence/user.model.js';
import { EVENT_SOURCE, MongoUserRepository } from './persistence/user.repository.js';
import { CachedUserReads } from './persistence/user-reads.js';
import { mongoSignInLimiters, RateLimiterSignInThrottle } from './security/sign-in-throttle.js';

const userReadsTotal = counter('ytm_resource_user_reads_total', 'Users read for GraphQL (me, User), by where they came from', ['source']);

const SDL = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

/** Replacements for tests and benchmarks (e.g. a cheaper bcrypt cost); production passes none. */
export interface ResourceOverrides {
  passwords?: PasswordHasher;
  playback?: PlaybackRevoker & { close(): void };
  tracks?: TrackCatalog & { close?(): void };
  /** The clock of every rule that reads the time (plan expiry, playlist and like timestamps, sessions); tests move it. */
  clock?: Clock;
}

export interface ComposedResource extends ComposedSubgraph {
  conn: Connection;
  keyRing: KeyRing;
  accounts: AccountService;
  apiKeys: ApiKeyService;
  relay: OutboxRelay;
  housekeeping: ResourceHousekeeping;
  /** True once the library-events consumer and the user change feed joined their groups (tests wait for it). */
  consumerJoined(): boolean;
}

/**
 * The composition root of ytm-resource: builds it from its configuration (connections, services,
 * HTTP app, gRPC server); nothing listens or runs in the background until asked (`start`).
 */
export async function composeService(
  config: ResourceConfig,
  logger: Logger,
  identity: ServiceIdentity,
  overrides: ResourceOverrides = {},
): Promise<ComposedResource> {
  const conn = await connectStore(config, logger);
  const users = userModel(conn);
  const sessions = sessionModel(conn);
  await Promise.all([users.init(), sessions.init()]);

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-resource', logger });
  const publisher = new EventPublisher(kafka);
  const playlistVersions = conn.collection(PLAYLIST_VERSIONS);
  const likeCollection = conn.collection('likes');
  const apiKeyCollection = conn.collection('api_keys');
  const relay = new OutboxRelay({ collections: [users.collection, playlistVersions, likeCollection, apiKeyCollection], publisher, logger });
  // Users' liked sets, owners' playlist listings, users' annotations and API keys, read by `_id` (see persistence/read-model.ts).
  const readModels = conn.collection(READ_MODELS);
  const readModelIntents = new ReadModelIntents(conn.collection(READ_MODEL_INTENTS));
  // What a store calls after writing events into a document's outbox: the relay reads it by `_id`.
  const outboxOf =
    (collection: { collectionName: string }) =>
    (id: string): void =>
      relay.notify(collection.collectionName, id);
  const apiKeyStore = new MongoApiKeyRepository(
    apiKeyCollection,
    readModels,
    readModelIntents,
    outboxOf(apiKeyCollection),
    conn.collection('api_key_ids'),
    logger,
  );
  await apiKeyStore.init();
  // What other replicas changed in users and liked sets, heard while the feed is in its group (started by `start`).
  let userChanges: UserChangeFeed | undefined;
  // Liked sets are shown from memory (Track.liked, likedTracks) as users are, for as long at most.
  const likeStore = new MongoLikeRepository(likeCollection, readModels, readModelIntents, outboxOf(likeCollection), logger, {
    maxAgeMs: config.USER_CACHE_MAX_AGE_MS,
    live: () => userChanges?.live === true,
    announce: (userId, version) => userChanges?.announceLikes(userId, version),
  });
  await likeStore.init();
  const playlistStore = new MongoPlaylistRepository(
    conn.collection(PLAYLIST_HEADS),
    playlistVersions,
    conn.collection(PLAYLIST_STATES),
    readModels,
    readModelIntents,
    outboxOf(playlistVersions),
    { logger },
  );
  await playlistStore.init();
  const removedTracks = new MongoRemovedTrackRepository(conn.collection('removed_tracks'), conn.collection('removed_track_versions'));
  const tracks = overrides.tracks ?? libraryTrackCatalog(config.LIBRARY_GRPC_URL, identity, logger, config.LIBRARY_DEADLINE_MS);

  const keyRing = new KeyRing({
    keys: new MongoSigningKeyRepository(signingKeyModel(conn)),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTokenTtlSec: config.accessTokenTtlSec,
  });
  await keyRing.init();
  const clock = overrides.clock ?? { now: () => new Date() };
  const { authenticate } = createAuthenticator(config, { resolveKey: keyRing.resolveKey, now: () => clock.now().getTime() });

  const windowSec = config.SIGNIN_FAILURE_WINDOW_MINUTES * 60;
  const limits = { maxFailuresPerAccount: config.SIGNIN_MAX_FAILURES_PER_ACCOUNT, maxFailuresPerAddress: config.SIGNIN_MAX_FAILURES_PER_ADDRESS, windowSec };
  const throttle = new RateLimiterSignInThrottle({
    ...limits,
    ...(config.SIGNIN_THROTTLE_STORE === 'mongo' ? { shared: await mongoSignInLimiters(conn, limits) } : {}),
  });

  const bcryptEngine = overrides.passwords ? threadPoolBcrypt : new LowPriorityBcrypt(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_NICE);
  const pepper = await getOrCreateSecret(conn, 'password-pepper');
  const userRepository = new MongoUserRepository(users, outboxOf(users.collection), conn.collection('user_emails'), {
    searchNamesMaxAgeMs: config.USER_CACHE_MAX_AGE_MS,
  });
  // Users as GraphQL shows them, held in memory while every replica's changes reach this one.
  const userReads = new CachedUserReads(userRepository, {
    maxAgeMs: config.USER_CACHE_MAX_AGE_MS,
    live: () => userChanges?.live === true,
    onRead: (source, count) => userReadsTotal.inc({ source }, count),
  });
  userRepository.onChange((id) => {
    userReads.forget(id);
    userChanges?.announce(id);
  });
  const playback = overrides.playback ?? streamPlaybackRevoker(config.STREAM_GRPC_URL, identity, logger);
  const sessionRepository = new MongoSessionRepository(
    sessions,
    conn.collection('refresh_claims'),
    conn.collection('session_revocations'),
    conn.collection('session_tokens'),
  );
  // Lookup documents (reads by `_id`) for what an older version wrote without them, before anything is served.
  await userRepository.backfillEmailLookup(logger);
  await sessionRepository.backfillTokenLookup(logger);
  await apiKeyStore.backfillIdLookup(logger);
  const accounts = new AccountService({
    users: userRepository,
    userReads,
    sessions: sessionRepository,
    passwords: new BoundedPasswordHasher(overrides.passwords ?? new BcryptPasswordHasher(pepper, config.BCRYPT_COST, bcryptEngine), {
      maxConcurrent: config.PASSWORD_HASH_CONCURRENCY,
      maxQueued: config.PASSWORD_HASH_QUEUE,
      maxWaitMs: 10_000,
    }),
    accessTokens: keyRing,
    refreshTokens,
    playback,
    throttle,
    clock,
    refreshTokenTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
  });
  const plans = new PlanService({ users: userRepository, playback, clock });
  const playlists = new PlaylistService({ playlists: playlistStore, tracks, clock });
  const likes = new LikeService({ likes: likeStore, tracks, clock });
  const userView = new UserService({ clock });
  const directory = new UserDirectoryService({ users: userRepository });
  const apiKeys = new ApiKeyService({ keys: apiKeyStore, secrets: apiKeySecrets, users: userRepository, accessTokens: keyRing, playback, clock });
  const grpc = createGrpcServer({ guard: identity.guard(logger) });
  const annotationStore = new MongoAnnotationRepository(conn.collection('annotations'), readModels, readModelIntents, logger);
  const annotations = new AnnotationService({ annotations: annotationStore, clock });
  const playQueues = new PlayQueueService({ queues: new MongoPlayQueueRepository(conn.collection('play_queues')), tracks, clock });
  grpc.server.addService(ResourceService, resourceGrpcServer({ accounts, apiKeys, annotations, playQueues, likes, logger, clock }));
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const outcome = await accounts.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    logger.info({ outcome }, 'admin account checked');
  }

  const subgraph = await createSubgraphServer({
    typeDefs: gql(SDL),
    resolvers,
    logger,
    production: config.production,
    authenticate,
    context: createContext({
      accounts,
      apiKeys,
      plans,
      playlists,
      likes,
      users: userView,
      directory,
      userReads,
      playlistStore,
      removedTracks,
      likeStore,
    }),
  });
  const auth = authRoutes(accounts, keyRing, authenticate, config.REFRESH_TOKEN_TTL_DAYS * 86_400);
  const exports = playlistExportRoutes({ playlists, tracks, authenticate, entryUrl: config.M3U_ENTRY_URL });
  const app = createApp({
    logger,
    readiness: { mongo: () => pingMongo(conn), kafka: () => publisher.ping() },
    health: () => ({ outboxPublished: relay.published }),
    use: [auth.routes(), auth.allowedMethods(), exports.routes(), exports.allowedMethods()],
  });

  let consumer: RunningConsumer | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let backfilled: Promise<void> | undefined;
  /** Read-model updates a writer left unfinished 30 s ago are finished here (ReadModelIntents). */
  const sweepReadModels = async () => {
    try {
      const finished = await readModelIntents.sweep(30_000);
      if (finished > 0) logger.warn({ finished }, 'finished read-model updates that writers left');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'read-model intent sweep failed');
    }
  };
  const processed = mongoProcessedEvents(conn.collection('processed_events'));
  const housekeeping = new ResourceHousekeeping(
    playlistStore,
    processed,
    config.PROCESSED_EVENTS_RETENTION_DAYS * 86_400_000,
    logger,
    {
      sessions: sessionRepository,
      graceMs: config.accessTokenTtlSec * 1_000,
      refreshTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
      everyMs: 600_000,
    },
    { prune: (now) => pruneReadModels(readModels, now), everyMs: 600_000 },
  );
  const startConsumer = (): RunningConsumer =>
    startLibraryTrackConsumer({
      kafka,
      groupId: config.KAFKA_GROUP_ID,
      fromBeginning: config.KAFKA_FROM_BEGINNING,
      logger,
      processed,
      removedTracks,
      onTrackPresence: (trackId, removed) => likeStore.setTrackRemoved(trackId, removed),
    });

  return {
    name: 'resource',
    sdl: SDL,
    app,
    // `/graphql` is served below Koa.
    routes: [subgraph.route],
    grpc,
    conn,
    keyRing,
    accounts,
    apiKeys,
    relay,
    housekeeping,
    async start() {
      relay.start();
      consumer ??= startConsumer();
      if (config.USER_CACHE_MAX_AGE_MS > 0) {
        userChanges ??= startUserChangeFeed({
          kafka,
          publisher,
          source: EVENT_SOURCE,
          logger,
          forget: (id) => {
            userReads.forget(id);
            userRepository.changedElsewhere();
          },
          likesChanged: (id, version) => likeStore.likedSetHeard(id, version),
        });
      }
      sweeper ??= setInterval(() => {
        void housekeeping.pruneAndLog();
        void sweepReadModels();
      }, 30_000).unref();
      // Once per start, in the background: read models for what was written before they existed.
      backfilled ??= Promise.all([likeStore.backfill(), playlistStore.backfill(), annotationStore.backfill(), apiKeyStore.backfill()]).then(() => undefined);
    },
    consumerJoined: () => consumer?.joined === true && (userChanges === undefined || userChanges.joined),
    shutdown: [
      ['graphql', () => subgraph.stop()],
      ['consumer', async () => consumer?.stop()],
      ['user-changes', async () => userChanges?.stop()],
      ['sweeper', async () => clearInterval(sweeper)],
      ['outbox', () => relay.stop()],
      ['kafka', () => publisher.close()],
      ['throttle', async () => throttle.stop()],
      ['stream-client', async () => playback.close()],
      ['library-client', async () => tracks.close?.()],
      ['bcrypt', () => bcryptEngine.close()],
      ['mongo', () => conn.close()],
    ],
  };
}
