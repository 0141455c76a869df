import type { Collection } from 'mongoose';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, pushOutbox, type OutboxEntry, withDocumentLock } from '@ytm/events';
import { isDuplicateKeyError, updateOneById } from '@ytm/mongo';
import type { LikeRepository } from '../domain/ports.js';
import type { Logger } from '@ytm/logger';
import { LikedSets, type LikedSetsShown, type HeldLike } from './liked-sets.js';
import type { ReadModelIntents } from './read-model-intents.js';
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
/** Up to this many tracks, LikesOfUsers reads each track's likers by `_id`; above, one scan of `likes` costs less. */
const LIKERS_READ_LIMIT = 200;
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
  private readonly likedSets: LikedSets;

  /** `readModels`/`intents`: where the users' liked sets are kept; `shown`: how they are shown from memory (see LikedSets). */
  constructor(
    private readonly collection: Collection,
    readModels: Collection,
    intents: ReadModelIntents,
    /** After a write that added an event to a like document's outbox: its `_id` (the relay reads it by `_id`). */
    private readonly onOutbox: (id: string) => void = () => undefined,
    logger?: Logger,
    shown?: LikedSetsShown,
  ) {
    this.likedSets = new LikedSets(collection, readModels, intents, logger, shown);
  }

  /** Another replica committed this version of the user's liked set (see LikedSets.heard). */
  likedSetHeard(userId: string, version: number): void {
    this.likedSets.heard(userId, version);
  }

  /** Liked sets for users who had likes before the sets existed (once per start; progress logged). */
  backfill(): Promise<void> {
    return this.likedSets.backfill();
  }

  async init(): Promise<void> {
    await this.collection.createIndex({ userId: 1, likedAt: -1 });
    await this.collection.createIndex({ trackId: 1 });
  }

  /** The like document, then the user's liked set (LikedSets.changing). */
  like(userId: string, trackId: string, now: Date): Promise<Date> {
    return this.likedSets.changing(userId, trackId, () => this.writeLike(userId, trackId, now));
  }

  async unlike(userId: string, trackId: string): Promise<boolean> {
    // Not liked, and the user's set agrees: nothing to write (no intent, no new version of the set).
    const [doc, set] = await Promise.all([this.collection.findOne<LikeDoc>(byId(likeId(userId, trackId))), this.likedSets.likedSet(userId)]);
    if ((!doc || doc[DELETED_FIELD]) && !set.has(trackId)) return false;
    return this.likedSets.changing(userId, trackId, () => this.writeUnlike(userId, trackId));
  }

  /**
   * The like document, active and in the library, and the user's set showing it with the same
   * time: the set this replica holds when it does (one read by `_id`, the document's; see
   * LikedSets.heldSet), else the newest set (a second read). A like whose set update is still
   * pending (or an unlike's) is not "liked" here, so liking again goes through the write and brings
   * the set up to date.
   */
  async likedAt(userId: string, trackId: string): Promise<Date | null> {
    const held = this.likedSets.heldSet(userId)?.get(trackId);
    const doc = await this.collection.findOne<LikeDoc>(byId(likeId(userId, trackId)));
    if (!doc || doc[DELETED_FIELD] || doc.trackRemoved) return null;
    const shows = (like: HeldLike | undefined): like is HeldLike =>
      like !== undefined && !like.trackRemoved && like.likedAt.getTime() === new Date(doc.likedAt).getTime();
    if (shows(held)) return held.likedAt;
    const newest = (await this.likedSets.likedSet(userId)).get(trackId);
    return shows(newest) ? newest.likedAt : null;
  }

  private async writeLike(userId: string, trackId: string, now: Date): Promise<Date> {
    const _id = likeId(userId, trackId);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const doc: LikeDoc = { _id, userId, trackId, likedAt: now, trackRemoved: false, [OUTBOX_FIELD]: [liked(userId, trackId, now)] };
        await this.collection.insertOne(doc as never);
        this.onOutbox(_id);
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
        updateOneById(
          this.collection,
          _id,
          { [DELETED_FIELD]: true },
          { $set: { [DELETED_FIELD]: false, likedAt: now }, ...pushOutbox(liked(userId, trackId, now)) },
        ),
      );
      if (r.matchedCount === 1) {
        this.onOutbox(_id);
        return now;
      }
    }
    const final = await this.collection.findOne<LikeDoc>(byId(_id));
    return final?.likedAt ?? now;
  }

  private async writeUnlike(userId: string, trackId: string): Promise<boolean> {
    const _id = likeId(userId, trackId);
    const existing = await this.collection.findOne<LikeDoc>(byId(_id));
    if (!existing || existing[DELETED_FIELD]) return false;
    const event = outboxEntry(EVENT_SOURCE, 'resource.track.unliked', trackId, { __typename: 'Track', id: trackId, userId });
    const r = await updateWhenOutboxIdle(this.collection, _id, () =>
      updateOneById(this.collection, _id, ACTIVE, { $set: { [DELETED_FIELD]: true }, ...pushOutbox(event) }),
    );
    if (r.matchedCount !== 1) return false;
    this.onOutbox(_id);
    return true;
  }

  /** From the user's liked set as shown (from memory while no newer version is known; see LikedSets.shownSet). */
  async likedAmong(userId: string, trackIds: readonly string[]): Promise<Map<string, Date>> {
    const among = new Map<string, Date>();
    if (trackIds.length === 0) return among;
    const liked = await this.likedSets.shownSet(userId);
    for (const id of trackIds) {
      const held = liked.get(id);
      if (held) among.set(id, held.likedAt);
    }
    return among;
  }

  /**
   * Which of these users liked which of these tracks: from each track's likers (one read by `_id`
   * per track while unchanged), whatever the number of likes stored; a call with more than
   * `LIKERS_READ_LIMIT` tracks (a big burst of library events) scans `likes` once instead.
   */
  async likesOfUsers(userIds: readonly string[], trackIds: readonly string[]) {
    if (userIds.length === 0 || trackIds.length === 0) return [];
    if (trackIds.length <= LIKERS_READ_LIMIT) {
      const wanted = new Set(userIds);
      const perTrack = await Promise.all(
        trackIds.map(async (trackId) =>
          (await this.likedSets.likersOf(trackId)).filter((l) => wanted.has(l.u)).map((l) => ({ userId: l.u, trackId, likedAt: new Date(l.at) })),
        ),
      );
      return perTrack.flat();
    }
    return this.collection
      .find<Pick<LikeDoc, 'userId' | 'trackId' | 'likedAt'>>({ trackId: { $in: [...trackIds] }, userId: { $in: [...userIds] }, ...ACTIVE } as never, {
        projection: { _id: 0, userId: 1, trackId: 1, likedAt: 1 },
      })
      .toArray();
  }

  /**
   * A page of the user's likes, newest first (ties by track ID, descending), from the user's liked
   * set as shown (LikedSets.shownSet): on FerretDB a query by `userId`, sorted and counted, reads
   * every like of every user, twice.
   */
  async listLiked(userId: string, options: { first: number; after?: { likedAt: Date; trackId: string } }) {
    const { after } = options;
    const all = [...(await this.likedSets.shownSet(userId))]
      .filter(([, l]) => !l.trackRemoved)
      .map(([trackId, l]) => ({ trackId, likedAt: l.likedAt }))
      .sort((a, b) => b.likedAt.getTime() - a.likedAt.getTime() || (a.trackId < b.trackId ? 1 : a.trackId > b.trackId ? -1 : 0));
    const rest = after
      ? all.filter((l) => l.likedAt.getTime() < after.likedAt.getTime() || (l.likedAt.getTime() === after.likedAt.getTime() && l.trackId < after.trackId))
      : all;
    return { likes: rest.slice(0, options.first), hasNextPage: rest.length > options.first, totalCount: all.length };
  }

  /**
   * A track left the library (or came back): its likes are marked, and each liker's set follows.
   * The likes looked at are those of `LikedSets.mayHaveLiked` (the likes in flight, then the
   * track's likers: two small reads), each marked by `_id` when it is active and not marked yet:
   * on FerretDB a query of `likes` by `trackId` reads every like stored (1.3 s at 50,000 likes),
   * per track a scan removes. Each user's set is brought in line when the mark was written or the
   * set shows otherwise (a redelivered event finishes the sets a failed pass left). One document
   * at a time, each serialised with the relay's write-back of that document: on FerretDB an update
   * is a read-modify-write, and a `$pullAll` racing an update lost the mark (a removed track still
   * listed; seen once in CI).
   */
  async setTrackRemoved(trackId: string, removed: boolean): Promise<void> {
    for (const userId of await this.likedSets.mayHaveLiked(trackId)) {
      const _id = likeId(userId, trackId);
      const { matchedCount } = await withDocumentLock(this.collection.collectionName, _id, () =>
        updateOneById(this.collection, _id, { ...ACTIVE, trackRemoved: !removed }, { $set: { trackRemoved: removed } }),
      );
      const held = (await this.likedSets.likedSet(userId)).get(trackId);
      if (matchedCount === 1 || held?.trackRemoved !== removed) await this.likedSets.reconcile(userId, trackId);
    }
  }
}
