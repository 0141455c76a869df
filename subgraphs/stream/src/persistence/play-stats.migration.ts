import type { Model } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { isDuplicateKeyError } from '@ytm/mongo';
import { RECENT_PLAYS_KEPT } from '../domain/play-stats.js';
import type { PlayDoc } from './play.model.js';
import type { PlayStatsModels, RecentPlaysDoc } from './play-stats.model.js';

export const PLAY_STATS_MIGRATION = 'migration:play-stats-v1';
const CHUNK = 1_000;

type Recent = RecentPlaysDoc['plays'][number];

/**
 * Builds the counters and recent lists from the play history once (a database from before they
 * existed), then leaves a marker in `leases`. Runs under the folder's lease, before any folding:
 * steps recorded meanwhile wait in `play_pending`, which the history does not hold yet. Safe to
 * run again after a crash: it rewrites both collections from the history. Returns true when done.
 */
export async function migratePlayStats(models: PlayStatsModels, history: Model<PlayDoc>, logger: Logger): Promise<boolean> {
  if (await models.leases.exists({ _id: PLAY_STATS_MIGRATION })) return true;
  const started = Date.now();
  const counts = new Map<string, number>();
  const recent = new Map<string, Map<string, Recent>>();
  let read = 0;
  const unpublished: Array<PlayDoc & { _outbox: unknown[] }> = [];
  for await (const raw of history.collection.find({})) {
    const d = raw as unknown as PlayDoc & { _outbox?: unknown[] };
    read += 1;
    if ((d._outbox?.length ?? 0) > 0) unpublished.push(d as PlayDoc & { _outbox: unknown[] });
    if (d.kind === 'completed') counts.set(d.trackId, (counts.get(d.trackId) ?? 0) + 1);
    const mine = recent.get(d.userId) ?? new Map<string, Recent>();
    recent.set(d.userId, mine);
    const entry = mine.get(d.ticketId);
    if (entry) {
      entry.completed ||= d.kind === 'completed';
      if (d.kind === 'started') entry.at = d.at;
    } else mine.set(d.ticketId, { ticketId: d.ticketId, trackId: d.trackId, at: d.at, completed: d.kind === 'completed' });
    if (mine.size > 4 * RECENT_PLAYS_KEPT) trim(mine);
  }
  // Events the history still carries (written before play_pending existed) move to the pending
  // log, where the relay publishes them; folding them again counts nothing (they are in the history).
  for (const d of unpublished) {
    await models.pending.collection.insertOne(d as never).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
    await history.collection.updateOne({ _id: d._id as never }, { $unset: { _outbox: 1 } });
  }
  await models.counts.deleteMany({});
  await models.recent.deleteMany({});
  const countDocs = [...counts].map(([trackId, count]) => ({ _id: trackId, count, applied: [] }));
  for (let i = 0; i < countDocs.length; i += CHUNK) await models.counts.collection.insertMany(countDocs.slice(i, i + CHUNK) as never[]);
  const recentDocs = [...recent].map(([userId, plays]) => ({ _id: userId, plays: trim(plays) }));
  for (let i = 0; i < recentDocs.length; i += CHUNK) await models.recent.collection.insertMany(recentDocs.slice(i, i + CHUNK) as never[]);
  await models.leases.collection.insertOne({ _id: PLAY_STATS_MIGRATION as never, holder: 'migration', until: new Date() });
  logger.info(
    { playsRead: read, eventsMoved: unpublished.length, tracks: countDocs.length, users: recentDocs.length, ms: Date.now() - started },
    'play statistics built from the history',
  );
  return true;
}

/** Keeps a user's newest plays (in place) and returns them newest first. */
function trim(plays: Map<string, Recent>): Recent[] {
  const newest = [...plays.values()].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, RECENT_PLAYS_KEPT);
  plays.clear();
  for (const p of newest) plays.set(p.ticketId, p);
  return newest;
}
