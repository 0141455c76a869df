import { NotFoundError } from '@ytm/errors';
import { checkUserId } from './annotation.js';
import { checkPlayQueue, type PlayQueue, type PlayQueueInput, type PlayQueueRepository } from './play-queue.js';
import type { Clock } from './ports.js';
import type { TrackCatalog } from './track-catalog.js';

export interface PlayQueueServiceDeps {
  queues: PlayQueueRepository;
  tracks: TrackCatalog;
  clock: Clock;
}

/** Play queues for ytm-subsonic's user (getPlayQueue / savePlayQueue). */
export class PlayQueueService {
  constructor(private readonly deps: PlayQueueServiceDeps) {}

  get(userId: string): Promise<PlayQueue | null> {
    checkUserId(userId);
    return this.deps.queues.find(userId);
  }

  /** Every track must be in the library (asked over gRPC); unknown ones → NOT_FOUND, nothing saved. */
  async save(userId: string, input: PlayQueueInput): Promise<PlayQueue | null> {
    checkUserId(userId);
    const queue = checkPlayQueue(input, this.deps.clock.now());
    if (queue.trackIds.length === 0) {
      await this.deps.queues.clear(userId);
      return null;
    }
    const unique = [...new Set(queue.trackIds)];
    const found = await this.deps.tracks.getTracks(unique);
    if (unique.some((id) => !found.has(id))) throw new NotFoundError('Track not found');
    await this.deps.queues.save(userId, queue);
    return queue;
  }
}
