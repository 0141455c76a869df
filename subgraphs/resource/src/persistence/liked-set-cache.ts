import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongoose';

/** `like_versions`: per user, a token replaced after every change of the user's likes. */
interface LikeVersionDoc {
  _id: string;
  token: string;
}

export interface LikedSetCacheOptions {
  /** Users whose liked sets are held (least recently used ones leave first). */
  maxUsers?: number;
  /** A set older than this is read again, whatever its token says (a writer that died between its two writes). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Each user's liked tracks, held in memory and checked against the user's version token with one
 * read by `_id` per request, instead of a query over the whole `likes` collection per request
 * (FerretDB answers `$in` and any filter other than `_id` equality by reading every document).
 *
 * Correct across replicas: a writer replaces the token after its like/unlike is written, and a
 * reader reads the token before the likes, so a set is held under a token only if every change
 * it lacks replaces that token later. A token is a fresh random value, never an increment, so a
 * lost update cannot bring an old one back. `maxAgeMs` bounds what a writer that died between its
 * two writes can leave stale.
 */
export class LikedSetCache {
  private readonly sets = new Map<string, { token: string; liked: Map<string, Date>; loadedAt: number }>();
  private readonly maxUsers: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly versions: Collection,
    private readonly load: (userId: string) => Promise<Array<{ trackId: string; likedAt: Date }>>,
    options: LikedSetCacheOptions = {},
  ) {
    this.maxUsers = options.maxUsers ?? 2_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The user's likes (track → when), from memory while the user's token is unchanged. */
  async likedSet(userId: string): Promise<Map<string, Date>> {
    const version = await this.versions.findOne<LikeVersionDoc>({ _id: userId as never }, { projection: { token: 1 } });
    // A user who has not liked anything since tokens exist: "none" until the first change.
    const token = version?.token ?? 'none';
    const held = this.sets.get(userId);
    if (held && held.token === token && this.now() - held.loadedAt < this.maxAgeMs) {
      // Most recently used last.
      this.sets.delete(userId);
      this.sets.set(userId, held);
      return held.liked;
    }
    const loadedAt = this.now();
    const liked = new Map((await this.load(userId)).map((l) => [l.trackId, l.likedAt]));
    this.sets.delete(userId);
    if (this.sets.size >= this.maxUsers) this.sets.delete(this.sets.keys().next().value as string);
    this.sets.set(userId, { token, liked, loadedAt });
    return liked;
  }

  /** After a like or unlike of the user's is written: every replica reads the user's likes again. */
  async changed(userId: string): Promise<void> {
    this.sets.delete(userId);
    await this.versions.updateOne({ _id: userId as never }, { $set: { token: randomUUID() } }, { upsert: true });
  }
}
