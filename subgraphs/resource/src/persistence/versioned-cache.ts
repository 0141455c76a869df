import { randomUUID } from 'node:crypto';
import { upsert } from '@ytm/mongo';
import type { Collection } from 'mongoose';

/** A version collection's document: per key, a token replaced after every change of what the key holds. */
interface VersionDoc {
  _id: string;
  token: string;
}

export interface VersionedCacheOptions {
  /** Keys whose values are held (least recently used ones leave first). */
  maxKeys?: number;
  /** A value older than this is read again, whatever its token says (a writer that died between its two writes). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Per key (a user, an owner), a value read from a collection that FerretDB can only scan (a
 * filter other than `_id` equality), held in memory and checked against the key's version token
 * with one read by `_id` per request, instead of a scan per request.
 *
 * Correct across replicas: a writer replaces the token after its change is written, and a reader
 * reads the token before the value, so a value is held under a token only if every change it
 * lacks replaces that token later. A token is a fresh random value, never an increment, so a lost
 * update cannot bring an old one back. `maxAgeMs` bounds what a writer that died between its two
 * writes can leave stale.
 */
export class VersionedCache<T> {
  private readonly held = new Map<string, { token: string; value: T; loadedAt: number }>();
  /** Bumped by `forget`: a load under way meanwhile is answered but not held. */
  private generation = 0;
  private readonly maxKeys: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly versions: Collection,
    private readonly load: (key: string) => Promise<T>,
    options: VersionedCacheOptions = {},
  ) {
    this.maxKeys = options.maxKeys ?? 2_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The key's value, from memory while its token is unchanged. */
  async get(key: string): Promise<T> {
    const version = await this.versions.findOne<VersionDoc>({ _id: key as never }, { projection: { token: 1 } });
    // A key that has not changed since tokens exist: "none" until its first change.
    const token = version?.token ?? 'none';
    const held = this.held.get(key);
    if (held && held.token === token && this.now() - held.loadedAt < this.maxAgeMs) {
      // Most recently used last.
      this.held.delete(key);
      this.held.set(key, held);
      return held.value;
    }
    const loadedAt = this.now();
    const generation = this.generation;
    const value = await this.load(key);
    if (generation !== this.generation) return value;
    this.held.delete(key);
    if (this.held.size >= this.maxKeys) this.held.delete(this.held.keys().next().value as string);
    this.held.set(key, { token, value, loadedAt });
    return value;
  }

  /**
   * What this replica holds of the key may be out of date (a change it heard of that does not
   * replace the token): it reads the value again at the next `get`.
   */
  forget(key: string): void {
    this.held.delete(key);
    this.generation++;
  }

  /** After a change of the key's value is written: every replica reads it again. */
  async changed(key: string): Promise<void> {
    this.held.delete(key);
    await upsert(() => this.versions.updateOne({ _id: key as never }, { $set: { token: randomUUID() } }, { upsert: true }));
  }
}
