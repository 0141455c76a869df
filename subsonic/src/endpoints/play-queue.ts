import { toChild } from '../format/entities.js';
import { ErrorCode, missing, SubsonicError } from '../format/response.js';
import { MAX_SONGS, tracksByIds } from '../ytm/tracks.js';
import type { Call, EndpointTable } from './endpoint.js';

/** The saved queue with its songs (songs that left the library are left out), or null. */
async function savedQueue(call: Call) {
  const saved = await call.services.userData.playQueue(call.principal.userId);
  if (!saved) return null;
  const [tracks, notes] = await Promise.all([tracksByIds(call.gql, [...new Set(saved.trackIds)]), call.notes()]);
  const byId = new Map(tracks.map((t) => [t.id, t]));
  const entry: Record<string, unknown>[] = [];
  let currentIndex = -1;
  for (const [i, id] of saved.trackIds.entries()) {
    const t = byId.get(id);
    if (!t) continue;
    if (i === saved.currentIndex) currentIndex = entry.length;
    entry.push(toChild(t, notes));
  }
  const head = {
    position: saved.positionMs,
    username: call.principal.email,
    changed: saved.changedAt.toISOString(),
    changedBy: saved.changedBy,
  };
  return { current: currentIndex >= 0 ? saved.trackIds[saved.currentIndex] : undefined, currentIndex, head, entry };
}

/** Saves `id`s (repeatable; none clears the queue) with the current one and the position (ms) in it. */
async function save(call: Call, currentIndex: (ids: string[]) => number): Promise<Record<string, never>> {
  const ids = call.params.ids('id', MAX_SONGS, `A play queue holds at most ${MAX_SONGS.toLocaleString('en-US')} songs`);
  const positionMs = call.params.int('position', 0, 0);
  const changedBy = call.params.text('c') ?? '';
  const index = ids.length === 0 ? -1 : currentIndex(ids);
  await call.services.userData.savePlayQueue(call.principal.userId, { trackIds: ids, currentIndex: index, positionMs, changedBy });
  return {};
}

/**
 * Resume on another device: the queue is kept in resource per user (last save wins). No saved
 * queue answers an empty response, as the spec says. The index-based pair (OpenSubsonic
 * `indexBasedQueue`) can say which of two copies of a song is current.
 */
export const playQueueEndpoints: EndpointTable = {
  getPlayQueue: {
    handler: async (call) => {
      const q = await savedQueue(call);
      if (!q) return {};
      return { playQueue: { ...(q.current ? { current: q.current } : {}), ...q.head, entry: q.entry } };
    },
  },
  savePlayQueue: {
    handler: (call) =>
      save(call, (ids) => {
        const current = call.params.get('current');
        if (!current) return 0;
        const i = ids.indexOf(current);
        if (i < 0) throw new SubsonicError(ErrorCode.GENERIC, 'current must be one of the queue’s songs');
        return i;
      }),
  },
  getPlayQueueByIndex: {
    handler: async (call) => {
      const q = await savedQueue(call);
      if (!q) return {};
      return { playQueueByIndex: { ...(q.currentIndex >= 0 ? { currentIndex: q.currentIndex } : {}), ...q.head, entry: q.entry } };
    },
  },
  savePlayQueueByIndex: {
    handler: (call) =>
      save(call, (ids) => {
        if (!call.params.has('currentIndex') || call.params.get('currentIndex') === '') throw missing('currentIndex');
        return call.params.requiredInt('currentIndex', 0, ids.length - 1);
      }),
  },
};
