import { createClient, fromGrpcError, ResourceClient, unaryCall, type CallerCredentials, type PlayQueue as PlayQueueMessage } from '@ytm/proto';
import { ErrorCode, SubsonicError } from '../format/response.js';

export type NoteKind = 'track' | 'album' | 'artist';

/** A rating (1–5, or 0 for none) and/or a star of an album or artist, as resource keeps it. */
export interface Annotation {
  kind: NoteKind;
  itemId: string;
  rating: number;
  starredAtMs: number;
}

export interface SavedPlayQueue {
  trackIds: string[];
  currentIndex: number;
  positionMs: number;
  changedBy: string;
  changedAt: Date;
}

/** The users' data subsonic keeps in ytm-resource (its gRPC `Resource` service). */
export interface UserDataStore {
  annotations(userId: string): Promise<Annotation[]>;
  setRating(userId: string, kind: NoteKind, itemId: string, rating: number): Promise<void>;
  setStarred(userId: string, kind: 'album' | 'artist', itemIds: string[], starred: boolean): Promise<void>;
  playQueue(userId: string): Promise<SavedPlayQueue | null>;
  savePlayQueue(userId: string, queue: Omit<SavedPlayQueue, 'changedAt'>): Promise<void>;
  close(): void;
}

/** resource's refusals as Subsonic errors: bad input → 0 with its message, unknown → 70. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const remote = fromGrpcError(err);
    if (remote.code === 'BAD_USER_INPUT') throw new SubsonicError(ErrorCode.GENERIC, remote.message);
    if (remote.code === 'NOT_FOUND') throw new SubsonicError(ErrorCode.NOT_FOUND, remote.message);
    throw err;
  }
}

function toQueue(m: PlayQueueMessage): SavedPlayQueue | null {
  if (!m.saved) return null;
  return {
    trackIds: m.trackIds,
    currentIndex: m.currentIndex,
    positionMs: Number(m.positionMs),
    changedBy: m.changedBy,
    changedAt: new Date(Number(m.changedAtMs)),
  };
}

export function resourceUserData(address: string, caller: CallerCredentials, deadlineMs: number): UserDataStore {
  const client = createClient(ResourceClient, address, caller);
  const opts = { deadlineMs };
  return {
    annotations: (userId) =>
      call(async () =>
        (await unaryCall(client.listAnnotations.bind(client), { userId }, opts)).annotations.map((a) => ({
          kind: a.kind as NoteKind,
          itemId: a.itemId,
          rating: a.rating,
          starredAtMs: Number(a.starredAtMs),
        })),
      ),
    setRating: (userId, kind, itemId, rating) =>
      call(async () => void (await unaryCall(client.setRating.bind(client), { userId, kind, itemId, rating }, opts))),
    setStarred: (userId, kind, itemIds, starred) =>
      call(async () => void (await unaryCall(client.setStarred.bind(client), { userId, kind, itemIds, starred }, opts))),
    playQueue: (userId) => call(async () => toQueue(await unaryCall(client.getPlayQueue.bind(client), { userId }, opts))),
    savePlayQueue: (userId, q) =>
      call(
        async () =>
          void (await unaryCall(
            client.savePlayQueue.bind(client),
            { userId, trackIds: q.trackIds, currentIndex: q.currentIndex, positionMs: q.positionMs, changedBy: q.changedBy },
            opts,
          )),
      ),
    close: () => client.close(),
  };
}
