import { OUTBOX_FIELD, outboxEntry } from '@ytm/events';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { PlayRepository } from '../domain/ports.js';
import type { PlayRecord, TicketClaims } from '../domain/ticket.js';
import type { PlayDoc } from './play.model.js';
import type { PlayStatsModels, RecentPlaysDoc } from './play-stats.model.js';

const SOURCE = 'ytm-stream';
const EVENT = { started: 'stream.play.started', completed: 'stream.play.completed' } as const;

/**
 * Steps are inserted into the small pending log (`play_pending`) with their event; the play folder
 * turns them into `play_counts` and `recent_plays` and the history (`plays`). Reads are by `_id`
 * of those documents only, so their cost does not grow with the history.
 */
export class MongoPlayRepository implements PlayRepository {
  /** `onEvent` wakes the outbox relay and the folder after a write that carried an event. */
  constructor(
    private readonly models: Pick<PlayStatsModels, 'pending' | 'counts' | 'recent'>,
    private readonly onEvent: () => void = () => undefined,
  ) {}

  markStarted(t: TicketClaims, now: Date): Promise<boolean> {
    return this.record('started', t, now);
  }

  markCompleted(t: TicketClaims, now: Date): Promise<boolean> {
    return this.record('completed', t, now);
  }

  /** The step and its event in one insert (transactional outbox); a duplicate means already recorded (and not yet folded). */
  private async record(kind: PlayDoc['kind'], t: TicketClaims, now: Date): Promise<boolean> {
    const event = outboxEntry(SOURCE, EVENT[kind], t.trackId, { __typename: 'Track', id: t.trackId, userId: t.userId, ticketId: t.ticketId }, now);
    try {
      await this.models.pending.collection.insertOne({
        _id: `${kind}:${t.ticketId}` as never,
        kind,
        ticketId: t.ticketId,
        userId: t.userId,
        trackId: t.trackId,
        at: now,
        [OUTBOX_FIELD]: [event],
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    this.onEvent();
    return true;
  }

  async recentlyPlayed(userId: string, limit: number): Promise<PlayRecord[]> {
    const doc = await this.models.recent.findOne({ _id: userId }).lean<RecentPlaysDoc>();
    return (doc?.plays ?? []).slice(0, limit).map((p) => ({ ticketId: p.ticketId, trackId: p.trackId, playedAt: p.at, completed: p.completed }));
  }

  /** One query by `_id` for a page of tracks; only the count is sent back. */
  async countCompleted(trackIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (trackIds.length === 0) return counts;
    const rows = await this.models.counts.find({ _id: { $in: [...new Set(trackIds)] } }, { count: 1 }).lean<Array<{ _id: string; count: number }>>();
    for (const r of rows) counts.set(r._id, r.count);
    return counts;
  }
}
