import { readFileSync } from 'node:fs';
import { gql } from 'graphql-tag';
import { createAccessTokenVerifier } from '@ytm/auth';
import { createKafka, EventPublisher, OutboxRelay } from '@ytm/events';
import { createApp } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { connectMongo, pingMongo } from '@ytm/mongo';
import { createGrpcServer } from '@ytm/proto';
import { createSubgraphServer, runSubgraph } from '@ytm/subgraph';
import { readConfig } from './config.js';
import { BcryptPasswordHasher } from './crypto/password-hasher.js';
import { KeyRing } from './crypto/key-ring.js';
import { refreshTokens } from './crypto/refresh-tokens.js';
import { AccountService } from './domain/account.service.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers/index.js';
import { streamPlaybackRevoker } from './grpc/stream.grpc-client.js';
import { authRoutes } from './http/auth.routes.js';
import { sessionModel } from './persistence/session.model.js';
import { MongoSessionRepository } from './persistence/session.repository.js';
import { secretModel, signingKeyModel } from './persistence/signing-key.model.js';
import { MongoSecretRepository, MongoSigningKeyRepository } from './persistence/signing-key.repository.js';
import { userModel } from './persistence/user.model.js';
import { MongoUserRepository } from './persistence/user.repository.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-resource', level: config.LOG_LEVEL });
const sdl = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

const conn = await connectMongo({ url: config.MONGODB_URL, dbName: config.MONGODB_DB, logger });
const users = userModel(conn);
const sessions = sessionModel(conn);
await Promise.all([users.init(), sessions.init()]);

const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-resource', logger });
const publisher = new EventPublisher(kafka);
const relay = new OutboxRelay({ collections: [users.collection], publisher, logger });

const keyRing = new KeyRing({
  keys: new MongoSigningKeyRepository(signingKeyModel(conn)),
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  accessTokenTtlSec: config.ACCESS_TOKEN_TTL_MINUTES * 60,
});
await keyRing.init();
const verifyAccessToken = createAccessTokenVerifier({ resolveKey: keyRing.resolveKey, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

const pepper = await new MongoSecretRepository(secretModel(conn)).getOrCreate('password-pepper');
const userRepository = new MongoUserRepository(users, () => relay.notify());
const playback = streamPlaybackRevoker(config.STREAM_GRPC_URL, logger);
const accounts = new AccountService({
  users: userRepository,
  sessions: new MongoSessionRepository(sessions),
  passwords: new BcryptPasswordHasher(pepper, config.BCRYPT_COST),
  accessTokens: keyRing,
  refreshTokens,
  playback,
  clock: { now: () => new Date() },
  refreshTokenTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
});
if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
  const outcome = await accounts.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  logger.info({ outcome }, 'admin account checked');
}
relay.start();

const subgraph = await createSubgraphServer({
  typeDefs: gql(sdl),
  resolvers,
  logger,
  production: config.production,
  verifyAccessToken,
  context: createContext({ accounts, users: userRepository }),
});
const app = createApp({
  logger,
  readiness: { mongo: () => pingMongo(conn), kafka: () => publisher.ping() },
  health: () => ({ outboxPublished: relay.published }),
});
const routes = authRoutes(accounts, keyRing, verifyAccessToken);
app.use(routes.routes()).use(routes.allowedMethods());
app.use(async (ctx, next) => {
  if (ctx.path === '/graphql') await subgraph.middleware(ctx, next);
  else await next();
});

await runSubgraph({
  name: 'resource',
  version: '0.1.0',
  logger,
  app,
  host: config.HOST,
  port: config.PORT,
  grpc: { server: createGrpcServer(), port: config.GRPC_PORT, serviceName: 'ytm.resource.v1.Resource' },
  registryUrl: config.REGISTRY_URL,
  sdl,
  shutdown: [
    ['graphql', () => subgraph.stop()],
    ['outbox', () => relay.stop()],
    ['kafka', () => publisher.close()],
    ['stream-client', async () => playback.close()],
    ['mongo', () => conn.close()],
  ],
});
