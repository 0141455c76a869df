import type { Annotation, NoteKind, SavedPlayQueue, UserDataStore } from './user-data.grpc-client.js';

/** What an entity carries of the viewer's notes: `userRating` (1–5) and `starred` (ISO time). */
export interface Note {
  userRating?: number;
  starred?: string;
}

/** One user's ratings and album/artist stars, looked up by kind and ID. */
export class Notes {
  static readonly NONE = new Notes([]);
  private readonly byKey = new Map<string, Annotation>();

  constructor(readonly all: readonly Annotation[]) {
    for (const a of all) this.byKey.set(`${a.kind}:${a.itemId}`, a);
  }

  of(kind: NoteKind, id: string): Note {
    const a = this.byKey.get(`${kind}:${id}`);
    if (!a) return {};
    return { ...(a.rating > 0 ? { userRating: a.rating } : {}), ...(a.starredAtMs > 0 ? { starred: new Date(a.starredAtMs).toISOString() } : {}) };
  }

  private readonly signatures = new Map<NoteKind, string>();

  /** The notes of one kind as a string: equal strings, equal notes (a cache key). */
  signature(kind: NoteKind): string {
    let sig = this.signatures.get(kind);
    if (sig === undefined) {
      sig = this.all
        .filter((a) => a.kind === kind)
        .map((a) => `${a.itemId}:${a.rating}:${a.starredAtMs}`)
        .sort()
        .join(',');
      this.signatures.set(kind, sig);
    }
    return sig;
  }

  /** IDs starred, most recently starred first. */
  starred(kind: NoteKind): string[] {
    return this.all
      .filter((a) => a.kind === kind && a.starredAtMs > 0)
      .sort((a, b) => b.starredAtMs - a.starredAtMs || (a.itemId < b.itemId ? -1 : 1))
      .map((a) => a.itemId);
  }

  /** IDs rated, highest first. */
  rated(kind: NoteKind): string[] {
    return this.all
      .filter((a) => a.kind === kind && a.rating > 0)
      .sort((a, b) => b.rating - a.rating || (a.itemId < b.itemId ? -1 : 1))
      .map((a) => a.itemId);
  }
}

/**
 * The users' notes and play queues, kept in resource. Every response decorates its entities with
 * the viewer's notes, so each user's set is read once and kept `ttlMs` (concurrent readers share
 * one read); this instance's own writes replace it at once, another instance's show within `ttlMs`.
 */
export class UserData {
  private readonly cache = new Map<string, { at: number; notes: Promise<Notes> }>();

  constructor(
    private readonly store: UserDataStore,
    private readonly ttlMs = 5_000,
    private readonly maxUsers = 10_000,
  ) {}

  notes(userId: string): Promise<Notes> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.notes;
    const notes = this.store.annotations(userId).then((all) => new Notes(all));
    if (this.cache.size >= this.maxUsers) this.cache.clear();
    this.cache.set(userId, { at: Date.now(), notes });
    notes.catch(() => this.cache.delete(userId));
    return notes;
  }

  async setRating(userId: string, kind: NoteKind, itemId: string, rating: number): Promise<void> {
    try {
      await this.store.setRating(userId, kind, itemId, rating);
    } finally {
      this.cache.delete(userId);
    }
  }

  async setStarred(userId: string, kind: 'album' | 'artist', itemIds: string[], starred: boolean): Promise<void> {
    try {
      await this.store.setStarred(userId, kind, itemIds, starred);
    } finally {
      this.cache.delete(userId);
    }
  }

  playQueue(userId: string): Promise<SavedPlayQueue | null> {
    return this.store.playQueue(userId);
  }

  savePlayQueue(userId: string, queue: Omit<SavedPlayQueue, 'changedAt'>): Promise<void> {
    return this.store.savePlayQueue(userId, queue);
  }

  close(): void {
    this.store.close();
  }
}
