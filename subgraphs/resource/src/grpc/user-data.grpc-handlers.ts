import type { Logger } from '@ytm/logger';
import type { Annotation as AnnotationMessage, PlayQueue as PlayQueueMessage, ResourceServer } from '@ytm/proto';
import type { Annotation } from '../domain/annotation.js';
import type { AnnotationService } from '../domain/annotation.service.js';
import type { PlayQueue } from '../domain/play-queue.js';
import type { PlayQueueService } from '../domain/play-queue.service.js';
import { answerer } from './answer.js';

function annotationMessage(a: Annotation): AnnotationMessage {
  return { kind: a.kind, itemId: a.itemId, rating: a.rating ?? 0, starredAtMs: a.starredAt?.getTime() ?? 0 };
}

function playQueueMessage(q: PlayQueue | null): PlayQueueMessage {
  if (!q) return { saved: false, trackIds: [], currentIndex: -1, positionMs: 0, changedBy: '', changedAtMs: 0 };
  return {
    saved: true,
    trackIds: q.trackIds,
    currentIndex: q.currentIndex,
    positionMs: q.positionMs,
    changedBy: q.changedBy,
    changedAtMs: q.changedAt.getTime(),
  };
}

type UserDataMethods = Pick<ResourceServer, 'listAnnotations' | 'setRating' | 'setStarred' | 'getPlayQueue' | 'savePlayQueue'>;

/**
 * The users' data ytm-subsonic keeps in resource (ratings, album/artist stars, play queues). The
 * guard admits only subsonic (SERVICE_ACCESS), which names the user it authenticated.
 */
export function userDataGrpcHandlers(deps: { annotations: AnnotationService; playQueues: PlayQueueService; logger: Logger }): UserDataMethods {
  const { annotations, playQueues, logger } = deps;
  const answer = answerer(logger);
  return {
    listAnnotations: (call, callback) =>
      answer('ListAnnotations', async () => ({ annotations: (await annotations.list(call.request.userId)).map(annotationMessage) }), callback),
    setRating: (call, callback) => {
      const { userId, kind, itemId, rating } = call.request;
      answer('SetRating', async () => annotationMessage(await annotations.setRating(userId, kind, itemId, rating)), callback);
    },
    setStarred: (call, callback) => {
      const { userId, kind, itemIds, starred } = call.request;
      answer('SetStarred', async () => ({ annotations: (await annotations.setStarred(userId, kind, itemIds, starred)).map(annotationMessage) }), callback);
    },
    getPlayQueue: (call, callback) => answer('GetPlayQueue', async () => playQueueMessage(await playQueues.get(call.request.userId)), callback),
    savePlayQueue: (call, callback) => {
      const { userId, trackIds, currentIndex, positionMs, changedBy } = call.request;
      answer('SavePlayQueue', async () => playQueueMessage(await playQueues.save(userId, { trackIds, currentIndex, positionMs, changedBy })), callback);
    },
  };
}
