import type { Model } from 'mongoose';
import { OUTBOX_FIELD, outboxEntry } from '@ytm/events';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { PlayRepository } from '../domain/ports.js';
import type { PlayRecord, TicketClaims } from '../domain/ticket.js';
import type { PlayDoc } from './play.model.js';

const SOURCE = 'ytm-stream';
const EVENT = { started: 'stream.play.started', completed: 'stream.play.completed' } as const;

export class MongoPlayRepository implements PlayRepository {
  /** `onEvent` wakes the outbox relay after a write that carried an event. */
  constructor(
    private readonly model: Model<PlayDoc>,
    private readonly onEvent: () => void = () => undefined,
  ) {}

  markStarted(t: TicketClaims, now: Date): Promise<boolean> {
    return this.record('started', t, now);
  }

  markCompleted(t: TicketClaims, now: Date): Promise<boolean> {
    return this.record('completed', t, now);
  }

  /** The step and its event in one insert (transactional outbox); a duplicate means already done. */
  private async record(kind: PlayDoc['kind'], t: TicketClaims, now: Date): Promise<boolean> {
    const event = outboxEntry(SOURCE, EVENT[kind], t.trackId, { __typename: 'Track', id: t.trackId, userId: t.userId, ticketId: t.ticketId }, now);
    try {
      await this.model.collection.insertOne({
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
    const started = await this.model
      .find({ userId, kind: 'started' }, { ticketId: 1, trackId: 1, at: 1 })
      .sort({ at: -1, _id: -1 })
      .limit(limit)
      .lean<Array<Pick<PlayDoc, 'ticketId' | 'trackId' | 'at'>>>();
    if (started.length === 0) return [];
    const completed = await this.model
      .find({ _id: { $in: started.map((p) => `completed:${p.ticketId}`) } }, { ticketId: 1 })
      .lean<Array<Pick<PlayDoc, 'ticketId'>>>();
    const done = new Set(completed.map((c) => c.ticketId));
    return started.map((p) => ({ ticketId: p.ticketId, trackId: p.trackId, playedAt: p.at, completed: done.has(p.ticketId) }));
  }

  async countCompleted(trackIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (trackIds.length === 0) return counts;
    const rows = await this.model.collection
      .aggregate<{ _id: string; n: number }>([
        { $match: { kind: 'completed', trackId: { $in: [...trackIds] } } },
        { $group: { _id: '$trackId', n: { $sum: 1 } } },
      ])
      .toArray();
    for (const r of rows) counts.set(r._id, r.n);
    return counts;
  }
}
