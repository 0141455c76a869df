import type { PlayRecord } from '../domain/ticket.js';

/**
 * Users' recent plays as last read from `recent_plays`, in a replica's memory (at most `max`
 * users, least recently read out first). Kept right by the play folder's change feed, which names
 * the users whose list it wrote after writing them: `invalidate` drops them. A list read from the
 * store is kept only when nothing was invalidated while it was read (`generation`), so a list
 * read before a write and kept after its announcement can never stay.
 */
export class RecentPlaysCache {
  private readonly lists = new Map<string, PlayRecord[]>();
  /** Bumped on every invalidation: a read that started at an older generation is not kept. */
  generation = 0;

  constructor(private readonly max = 2_000) {}

  get(userId: string): PlayRecord[] | undefined {
    const list = this.lists.get(userId);
    if (list) {
      this.lists.delete(userId);
      this.lists.set(userId, list);
    }
    return list;
  }

  /** Keeps a list read from the store since `readAt` (a `generation`), unless something changed meanwhile. */
  remember(userId: string, list: PlayRecord[], readAt: number): void {
    if (readAt !== this.generation) return;
    this.lists.delete(userId);
    this.lists.set(userId, list);
    if (this.lists.size > this.max) this.lists.delete(this.lists.keys().next().value as string);
  }

  invalidate(userIds: Iterable<string>): void {
    this.generation += 1;
    for (const id of userIds) this.lists.delete(id);
  }

  clear(): void {
    this.generation += 1;
    this.lists.clear();
  }
}
