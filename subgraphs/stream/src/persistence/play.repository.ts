import { OUTBOX_FIELD, outboxEntry } from '@ytm/events';
import { findByIds, isDuplicateKeyError } from '@ytm/mongo';
import type { PlayRepository } from '../domain/ports.js';
import type { PlayRecord, TicketClaims } from '../domain/ticket.js';
import type { PlayDoc } from './play.model.js';
import type { PlayCountView } from './play-count-view.js';
import type { PlayCountDoc, PlayStatsModels, RecentPlaysDoc } from './play-stats.model.js';

const SOURCE = 'ytm-stream';
const EVENT = { started: 'stream.play.started', completed: 'stream.play.completed' } as const;

/**
 * Steps are inserted into the small pending log (`play_pending`) with their event; the play folder
 * turns them into `play_counts` and `recent_plays` and the history (`plays`). Reads are by `_id`
 * of those documents only (exactly `{ _id }`, an index seek on FerretDB too), and play counts come
 * from the replica's PlayCountView while it is current, so their cost does not grow with the
 * history nor with the number of tracks.
 */
export class MongoPlayRepository implements PlayRepository {
  /** `onEvent` wakes the outbox relay and the folder after a write that carried an event. */
  constructor(
    private readonly models: Pick<PlayStatsModels, 'pending' | 'counts' | 'recent' | 'history'>,
    private readonly onEvent: () => void = () => undefined,
    private readonly view?: PlayCountView,
  ) {}

  markStarted(t: TicketClaims, now: Date): Promise<boolean> {
    return this.record('started', t, now);
  }

  markCompleted(t: TicketClaims, now: Date): Promise<boolean> {
    return this.record('completed', t, now);
  }

  /**
   * The step and its event in one insert (transactional outbox), unless already recorded: a step
   * still pending refuses the insert (a duplicate `_id`), and one already folded (its pending copy
   * is deleted about a second later) is found first in the history by `_id`, so another replica
   * (the router spreads a play's Range requests) or a restart serving the same ticket records and
   * publishes nothing again. A fold of the same step landing between that read and the insert
   * replays it: counted once all the same, its event sent twice (the window of one read).
   */
  private async record(kind: PlayDoc['kind'], t: TicketClaims, now: Date): Promise<boolean> {
    const id = `${kind}:${t.ticketId}`;
    if (await this.models.history.collection.findOne({ _id: id as never }, { projection: { _id: 1 } })) return false;
    const event = outboxEntry(SOURCE, EVENT[kind], t.trackId, { __typename: 'Track', id: t.trackId, userId: t.userId, ticketId: t.ticketId }, now);
    try {
      await this.models.pending.collection.insertOne({
        _id: id as never,
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

  /** From memory while the view is current and holds the user's list; otherwise one read by `_id`, kept for the next time. */
  async recentlyPlayed(userId: string, limit: number): Promise<PlayRecord[]> {
    const held = this.view?.recentPlays(userId);
    if (held) return held.slice(0, limit);
    const readAt = this.view?.recent.generation ?? 0;
    const doc = await this.models.recent.collection.findOne<RecentPlaysDoc>({ _id: userId as never });
    const list = (doc?.plays ?? []).map((p) => ({ ticketId: p.ticketId, trackId: p.trackId, playedAt: p.at, completed: p.completed }));
    this.view?.recent.remember(userId, list, readAt);
    return list.slice(0, limit);
  }

  /** From memory while the view is current; otherwise one read by `_id` per track of the page (only the count is sent back). */
  async countCompleted(trackIds: readonly string[]): Promise<Map<string, number>> {
    const held = this.view?.get(trackIds);
    if (held) return held;
    const counts = new Map<string, number>();
    if (trackIds.length === 0) return counts;
    for (const r of await findByIds<PlayCountDoc>(this.models.counts.collection, trackIds, { count: 1 })) counts.set(r._id, r.count);
    return counts;
  }
}
