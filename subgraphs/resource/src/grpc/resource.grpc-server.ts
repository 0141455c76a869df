import type { Logger } from '@ytm/logger';
import { BadUserInputError } from '@ytm/errors';
import type { Principal as PrincipalMessage, ResourceServer, ResourceUser } from '@ytm/proto';
import type { AccountService } from '../domain/account.service.js';
import type { AnnotationService } from '../domain/annotation.service.js';
import type { PlayQueueService } from '../domain/play-queue.service.js';
import type { ApiKeyService } from '../domain/api-key.service.js';
import type { LikeService } from '../domain/like.service.js';
import type { Clock } from '../domain/ports.js';
import type { Principal } from '../domain/principal.js';
import { effectivePlan, type User } from '../domain/user.js';
import { answerer } from './answer.js';
import { userDataGrpcHandlers } from './user-data.grpc-handlers.js';

function userMessage(user: User, now: Date): ResourceUser {
  const plan = effectivePlan(user.plan, now);
  return {
    id: user.id,
    displayName: user.displayName,
    role: user.role,
    planTier: plan.tier,
    planExpiresAtMs: plan.expiresAt?.getTime() ?? 0,
    email: user.email,
  };
}

function principalMessage(p: Principal, now: Date): PrincipalMessage {
  return { user: userMessage(p.user, now), apiKeyId: p.apiKeyId ?? '', accessToken: p.accessToken, accessTokenExpiresAtMs: p.accessTokenExpiresAt.getTime() };
}

/**
 * The internal `Resource` service: user lookups, the credential checks of ytm-subsonic (API
 * keys; legacy Subsonic passwords, throttled like signIn), the users' data subsonic keeps here
 * (user-data.grpc-handlers.ts), and the router's batched read of likes for subscription events.
 * Secrets never reach the logs.
 */
export function resourceGrpcServer(deps: {
  accounts: AccountService;
  apiKeys: ApiKeyService;
  annotations: AnnotationService;
  playQueues: PlayQueueService;
  likes: LikeService;
  logger: Logger;
  clock: Clock;
}): ResourceServer {
  const { accounts, apiKeys, logger, clock } = deps;
  const answer = answerer(logger);
  return {
    ...userDataGrpcHandlers(deps),
    likesOfUsers: (call, callback) =>
      answer(
        'LikesOfUsers',
        async () => ({
          likes: (await deps.likes.likesOfUsers(call.request.userIds, call.request.trackIds)).map((l) => ({
            userId: l.userId,
            trackId: l.trackId,
            likedAtMs: l.likedAt.getTime(),
          })),
        }),
        callback,
      ),
    getUser: (call, callback) => answer('GetUser', async () => userMessage(await accounts.getUser(call.request.id), clock.now()), callback),
    authenticateApiKey: (call, callback) =>
      answer(
        'AuthenticateApiKey',
        async () => {
          if (!call.request.secret) throw new BadUserInputError('secret is required', 'secret');
          return principalMessage(await apiKeys.authenticate(call.request.secret), clock.now());
        },
        callback,
      ),
    verifyPassword: (call, callback) =>
      answer(
        'VerifyPassword',
        async () => {
          const { email, password, clientAddress } = call.request;
          if (!email || !password) throw new BadUserInputError('email and password are required');
          return principalMessage(await accounts.verifyPassword(email, password, clientAddress || undefined), clock.now());
        },
        callback,
      ),
  };
}
