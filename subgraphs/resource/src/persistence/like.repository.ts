import type { Collection } from 'mongoose';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, pushOutbox, type OutboxEntry, withDocumentLock } from '@ytm/events';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { LikeRepository } from '../domain/ports.js';
import { LikedSetCache } from './liked-set-cache.js';
import { updateWhenOutboxIdle, whenOutboxIdle } from './outbox-guard.js';
import { EVENT_SOURCE } from './user.repository.js';

/** `likes`: one document per (user, track), `_id` = `<userId>:<trackId>`. */
interface LikeDoc {
  _id: string;
  userId: string;
  trackId: string;
  likedAt: Date;
  /** The track left the library: hidden from likedTracks until it comes back. */
  trackRemoved: boolean;
  _outbox?: OutboxEntry[];
  /** Unliked; the relay deletes it once the `unliked` event is out. */
  _deleted?: boolean;
}

const likeId = (userId: string, trackId: string) => `${userId}:${trackId}`;
const byId = (id: string) => ({ _id: id as never });
const ACTIVE = { [DELETED_FIELD]: { $ne: true } };

function liked(userId: string, trackId: string, likedAt: Date): OutboxEntry {
  return outboxEntry(EVENT_SOURCE, 'resource.track.liked', trackId, { __typename: 'Track', id: trackId, userId, likedAt: likedAt.toISOString() });
}

/**
 * A like is an insert (atomic and idempotent by `_id`); an unlike marks the document `_deleted`
 * with its event, and the relay deletes it after publishing. In-place updates first wait for the
 * document's outbox to drain (see outbox-guard.ts).
 */
export class MongoLikeRepository implements LikeRepository {
  private readonly likedSets: LikedSetCache;

  constructor(
    private readonly collection: Collection,
    versions: Collection,
    private readonly onOutbox: () => void = () => undefined,
  ) {
    this.likedSets = new LikedSetCache(versions, (userId) =>
      this.collection.find<Pick<LikeDoc, 'trackId' | 'likedAt'>>({ userId, ...ACTIVE } as never, { projection: { trackId: 1, likedAt: 1 } }).toArray(),
    );
  }

  async init(): Promise<void> {
    await this.collection.createIndex({ userId: 1, likedAt: -1 });
    await this.collection.createIndex({ trackId: 1 });
  }

  async like(userId: string, trackId: string, now: Date): Promise<Date> {
    const _id = likeId(userId, trackId);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const doc: LikeDoc = { _id, userId, trackId, likedAt: now, trackRemoved: false, [OUTBOX_FIELD]: [liked(userId, trackId, now)] };
        await this.collection.insertOne(doc as never);
        this.onOutbox();
        await this.likedSets.changed(userId);
        return now;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const existing = await this.collection.findOne<LikeDoc>(byId(_id));
      if (existing && !existing[DELETED_FIELD]) return existing.likedAt;
      if (!existing) continue;
      // Unliked a moment ago: the relay deletes the document once the event is out.
      await whenOutboxIdle(this.collection, _id);
      if (!(await this.collection.findOne(byId(_id)))) continue;
      // Still there (Kafka down): like it again in place.
      // Serialised with the relay's write-back and delete of this document (withDocumentLock).
      const r = await withDocumentLock(this.collection.collectionName, _id, () =>
        this.collection.updateOne({ _id: _id as never, [DELETED_FIELD]: true }, {
          $set: { [DELETED_FIELD]: false, likedAt: now },
          ...pushOutbox(liked(userId, trackId, now)),
        } as never),
      );
      if (r.matchedCount === 1) {
        this.onOutbox();
        await this.likedSets.changed(userId);
        return now;
      }
    }
    const final = await this.collection.findOne<LikeDoc>(byId(_id));
    return final?.likedAt ?? now;
  }

  async unlike(userId: string, trackId: string): Promise<boolean> {
    const _id = likeId(userId, trackId);
    const existing = await this.collection.findOne<LikeDoc>(byId(_id));
    if (!existing || existing[DELETED_FIELD]) return false;
    const event = outboxEntry(EVENT_SOURCE, 'resource.track.unliked', trackId, { __typename: 'Track', id: trackId, userId });
    const r = await updateWhenOutboxIdle(this.collection, _id, () =>
      this.collection.updateOne({ _id: _id as never, ...ACTIVE }, { $set: { [DELETED_FIELD]: true }, ...pushOutbox(event) } as never),
    );
    if (r.matchedCount !== 1) return false;
    this.onOutbox();
    await this.likedSets.changed(userId);
    return true;
  }

  /** From the user's liked set (one read by `_id` while it is unchanged; see LikedSetCache). */
  async likedAmong(userId: string, trackIds: readonly string[]): Promise<Map<string, Date>> {
    const among = new Map<string, Date>();
    if (trackIds.length === 0) return among;
    const liked = await this.likedSets.likedSet(userId);
    for (const id of trackIds) {
      const at = liked.get(id);
      if (at) among.set(id, at);
    }
    return among;
  }

  async likesOfUsers(userIds: readonly string[], trackIds: readonly string[]) {
    if (userIds.length === 0 || trackIds.length === 0) return [];
    return this.collection
      .find<Pick<LikeDoc, 'userId' | 'trackId' | 'likedAt'>>({ trackId: { $in: [...trackIds] }, userId: { $in: [...userIds] }, ...ACTIVE } as never, {
        projection: { _id: 0, userId: 1, trackId: 1, likedAt: 1 },
      })
      .toArray();
  }

  async listLiked(userId: string, options: { first: number; after?: { likedAt: Date; trackId: string } }) {
    const filter = { userId, trackRemoved: { $ne: true }, ...ACTIVE };
    const { after } = options;
    const page = after
      ? { $and: [filter, { $or: [{ likedAt: { $lt: after.likedAt } }, { likedAt: after.likedAt, trackId: { $lt: after.trackId } }] }] }
      : filter;
    const [docs, totalCount] = await Promise.all([
      this.collection
        .find<LikeDoc>(page as never, { projection: { trackId: 1, likedAt: 1 } })
        .sort({ likedAt: -1, trackId: -1 })
        .limit(options.first + 1)
        .toArray(),
      this.collection.countDocuments(filter as never),
    ]);
    return {
      likes: docs.slice(0, options.first).map((d) => ({ trackId: d.trackId, likedAt: d.likedAt })),
      hasNextPage: docs.length > options.first,
      totalCount,
    };
  }

  /**
   * One document at a time, each serialised with the relay's write-back of that document: on
   * FerretDB an update is a read-modify-write, and a `$pullAll` racing an `updateMany` lost the
   * mark (a removed track still listed; seen once in CI).
   */
  async setTrackRemoved(trackId: string, removed: boolean): Promise<void> {
    const docs = await this.collection.find({ trackId, trackRemoved: !removed }, { projection: { _id: 1 } }).toArray();
    for (const { _id } of docs) {
      await withDocumentLock(this.collection.collectionName, _id, () =>
        this.collection.updateOne({ _id, trackRemoved: !removed }, { $set: { trackRemoved: removed } }),
      );
    }
  }
}
