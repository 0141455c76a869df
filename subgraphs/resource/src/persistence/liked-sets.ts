import type { Collection } from 'mongoose';
import { DELETED_FIELD } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import { groupBy, ReadModel, type ReadModelOptions } from './read-model.js';
import type { ReadModelIntents } from './read-model-intents.js';

/** One of the user's likes as the set holds it. */
export interface HeldLike {
  likedAt: Date;
  /** The track left the library (hidden from likedTracks until it comes back). */
  trackRemoved: boolean;
}

/** A like in the stored set (FerretDB 1.x stores no nested arrays): track ID, when, whether the track left the library. */
interface Entry {
  t: string;
  at: Date;
  removed: boolean;
}

interface LikeFacts {
  userId: string;
  trackId: string;
  likedAt: Date;
  trackRemoved?: boolean;
  _deleted?: boolean;
}

export const LIKED_MODEL = 'liked';
/** Each track's likers (`likers:<trackId>`): who liked it and when, for LikesOfUsers. */
export const LIKERS_MODEL = 'likers';

/** One of a track's likers as the model holds it. */
export interface Liker {
  u: string;
  at: Date;
}
const ACTIVE = { [DELETED_FIELD]: { $ne: true } };
const FACTS = { projection: { userId: 1, trackId: 1, likedAt: 1, trackRemoved: 1 } };
const toEntry = (l: LikeFacts): Entry => ({ t: l.trackId, at: new Date(l.likedAt), removed: l.trackRemoved === true });
const toLiker = (l: LikeFacts): Liker => ({ u: l.userId, at: new Date(l.likedAt) });

/** How liked sets are shown from memory (`LikedSets.shownSet`); without it, every read probes the store. */
export interface LikedSetsShown {
  /** A set checked this long ago is probed again: what a lost announcement can leave stale. 0: always probed. */
  maxAgeMs: number;
  /** Whether every replica's commits reach `heard` now (the change feed is in its Kafka group). */
  live: () => boolean;
  /** After each version of a user's set committed here: tell the other replicas. */
  announce: (userId: string, version: number) => void;
}

/**
 * Each user's liked tracks, and each track's likers, as read models (`read_models`,
 * `liked:<userId>#<version>` and `likers:<trackId>#<version>`, see ReadModel): a request reads them
 * by `_id`, never the `likes` collection (FerretDB answers any filter other than `_id` equality by
 * reading every like of every user). `likes` stays the truth (and carries the events); after each
 * write of a like document the user's set, then the track's likers, take what that document says,
 * under an intent that the sweep finishes if the writer dies (ReadModelIntents).
 */
export class LikedSets {
  private readonly model: ReadModel<Entry[]>;
  private readonly likers: ReadModel<Liker[]>;
  /** The backfills' one scan of `likes`, while they run. */
  private scan: Promise<LikeFacts[]> | undefined;
  private readonly maps = new WeakMap<Entry[], ReadonlyMap<string, HeldLike>>();

  constructor(
    private readonly likes: Collection,
    readModels: Collection,
    private readonly intents: ReadModelIntents,
    logger?: Logger,
    private readonly shown?: LikedSetsShown,
  ) {
    /** A model of every like grouped by one of its fields (`userId`: a user's set; `trackId`: a track's likers). */
    const byField = <E>(name: string, field: 'userId' | 'trackId', entry: (l: LikeFacts) => E, options: ReadModelOptions<E[]>) =>
      new ReadModel<E[]>(
        readModels,
        name,
        {
          all: async () => groupBy(await this.everyLike(), (l) => l[field], entry),
          one: async (key) => (await likes.find<LikeFacts>({ [field]: key, ...ACTIVE } as never, FACTS).toArray()).map(entry),
          empty: () => [],
        },
        options,
      );
    // Lists keyed by track (a user's likes) and by user (a track's likers): a like writes itself, not the whole list.
    this.model = byField(LIKED_MODEL, 'userId', toEntry, { logger, listKey: (e: Entry) => e.t, ...(shown ? { onCommit: shown.announce } : {}) });
    this.likers = byField(LIKERS_MODEL, 'trackId', toLiker, { logger, listKey: (l: Liker) => l.u });
    intents.register(LIKED_MODEL, (userId, trackId) => this.reconcile(userId, trackId));
  }

  /** The user's likes (track → when, and whether it left the library); one read by `_id` while unchanged. */
  async likedSet(userId: string): Promise<ReadonlyMap<string, HeldLike>> {
    return this.mapOf(await this.model.read(userId));
  }

  /**
   * The user's likes for what is only shown (`Track.liked`, `likedTracks`): the set this replica
   * holds, without a read, while it was found newest within `maxAgeMs` and no other replica has
   * announced a newer version since (ReadModel.shown); otherwise `likedSet`. A like or unlike made
   * here shows at once; one made on another replica once its announcement arrives.
   */
  async shownSet(userId: string): Promise<ReadonlyMap<string, HeldLike>> {
    if (this.shown && this.shown.maxAgeMs > 0 && this.shown.live()) {
      const held = this.model.shown(userId, this.shown.maxAgeMs);
      if (held) return this.mapOf(held);
    }
    return this.likedSet(userId);
  }

  /** Another replica committed this version of the user's set (its announcement). */
  heard(userId: string, version: number): void {
    if (this.shown) this.model.heard(userId, version, this.shown.maxAgeMs);
  }

  /**
   * The user's likes as this replica last read or wrote them, without a read (undefined when it
   * holds none); possibly older than the newest set. A like it shows with the time its document
   * has now is in the newest set too: a set only ever takes what a like document says (read after
   * its base version, see `reconcile` and ReadModel), and every like is written with a new time.
   */
  heldSet(userId: string): ReadonlyMap<string, HeldLike> | undefined {
    const entries = this.model.heldValue(userId);
    return entries && this.mapOf(entries);
  }

  private mapOf(entries: Entry[]): ReadonlyMap<string, HeldLike> {
    let map = this.maps.get(entries);
    if (!map) {
      map = new Map(entries.map((e) => [e.t, { likedAt: new Date(e.at), trackRemoved: e.removed }] as const));
      this.maps.set(entries, map);
    }
    return map;
  }

  /**
   * `write` changes the like document of (user, track); then the user's set takes what it says.
   * Also when `write` found nothing to do: a concurrent writer may not have updated the set yet,
   * and the caller reads the set right after (`likeTrack { liked }`).
   */
  changing<T>(userId: string, trackId: string, write: () => Promise<T>): Promise<T> {
    return this.intents.around(LIKED_MODEL, userId, trackId, async () => {
      const result = await write();
      await this.reconcile(userId, trackId);
      return result;
    });
  }

  /**
   * The user's set, then the track's likers, take what the like document of (user, track) says now
   * (each read after that model's newest version); the likers only when that changes them.
   */
  async reconcile(userId: string, trackId: string): Promise<void> {
    await this.model.update(userId, async (base) => {
      const doc = await this.likeFacts(userId, trackId);
      const next = base.filter((e) => e.t !== trackId);
      if (doc) next.push(toEntry(doc));
      return next;
    });
    await this.likers.update(trackId, async (base) => {
      const doc = await this.likeFacts(userId, trackId);
      const held = base.find((l) => l.u === userId);
      if (doc ? held !== undefined && new Date(held.at).getTime() === new Date(doc.likedAt).getTime() : !held) return base;
      const next = base.filter((l) => l.u !== userId);
      if (doc) next.push(toLiker(doc));
      return next;
    });
  }

  /**
   * Every user who may have an active like of the track: those whose like of it is in flight (its
   * intent, recorded before the like document is written), then its likers. Intents first: a like
   * that finishes in between is among the likers read after it (the likers take it before its
   * intent goes). A like whose intent is recorded after this is not included.
   */
  async mayHaveLiked(trackId: string): Promise<Set<string>> {
    const inFlight = await this.intents.keysChanging(LIKED_MODEL, trackId);
    const likers = await this.likers.read(trackId);
    return new Set([...inFlight, ...likers.map((l) => l.u)]);
  }

  /** Who liked the track and when: one read by `_id` while unchanged (LikesOfUsers). */
  likersOf(trackId: string): Promise<Liker[]> {
    return this.likers.read(trackId);
  }

  /** Sets of users, and likers of tracks, with likes from before they existed: once per start, from one scan of `likes`. */
  async backfill(): Promise<void> {
    try {
      await this.model.backfill();
      await this.likers.backfill();
    } finally {
      this.scan = undefined;
    }
  }

  /** Every active like, from one scan of `likes` that both backfills share. */
  private everyLike(): Promise<LikeFacts[]> {
    return (this.scan ??= this.likes.find<LikeFacts>(ACTIVE as never, FACTS).toArray());
  }

  /** The like document of (user, track) when it is active. */
  private async likeFacts(userId: string, trackId: string): Promise<LikeFacts | null> {
    const doc = await this.likes.findOne<LikeFacts>({ _id: `${userId}:${trackId}` as never }, { projection: { ...FACTS.projection, [DELETED_FIELD]: 1 } });
    return doc && doc[DELETED_FIELD] !== true ? doc : null;
  }
}
