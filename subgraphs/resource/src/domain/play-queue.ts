import { BadUserInputError } from '@ytm/errors';
import { TRACK_ID } from './playlist.js';

/** A user's play queue, saved by one device and resumed on another (Subsonic savePlayQueue). */
export interface PlayQueue {
  trackIds: string[];
  /** Index into trackIds of the current track; -1 when none. */
  currentIndex: number;
  positionMs: number;
  /** The client that saved it. */
  changedBy: string;
  changedAt: Date;
}

export const MAX_QUEUE_TRACKS = 10_000;
export const MAX_CLIENT_NAME = 200;

export interface PlayQueueRepository {
  find(userId: string): Promise<PlayQueue | null>;
  /** Replaces the queue (last writer wins). */
  save(userId: string, queue: PlayQueue): Promise<void>;
  clear(userId: string): Promise<void>;
}

export interface PlayQueueInput {
  trackIds: readonly string[];
  currentIndex: number;
  positionMs: number;
  changedBy: string;
}

/** Checks a queue to save; an empty list of tracks means "clear it" (OpenSubsonic). */
export function checkPlayQueue(input: PlayQueueInput, now: Date): PlayQueue {
  const { trackIds, currentIndex, positionMs } = input;
  if (trackIds.length > MAX_QUEUE_TRACKS) throw new BadUserInputError(`A play queue holds at most ${MAX_QUEUE_TRACKS} tracks`, 'trackIds');
  if (trackIds.some((id) => !TRACK_ID.test(id))) throw new BadUserInputError('A track ID is malformed', 'trackIds');
  if (!Number.isInteger(currentIndex) || currentIndex < -1 || currentIndex >= trackIds.length) {
    throw new BadUserInputError('The current track must be one of the queue', 'currentIndex');
  }
  if (!Number.isSafeInteger(positionMs) || positionMs < 0) throw new BadUserInputError('position must be a whole number of milliseconds ≥ 0', 'positionMs');
  const changedBy = input.changedBy.slice(0, MAX_CLIENT_NAME);
  return {
    trackIds: [...trackIds],
    currentIndex: trackIds.length === 0 ? -1 : currentIndex,
    positionMs: trackIds.length === 0 ? 0 : positionMs,
    changedBy,
    changedAt: now,
  };
}
