import type { UserRepository } from '../domain/ports.js';
import type { User } from '../domain/user.js';

/** Each reader gets its own object: GraphQL libraries tag what resolvers return (`__typename`). */
const copy = (user: User): User => ({ ...user, plan: { ...user.plan } });

export interface CachedUserReadsOptions {
  /** A held user is read again after this long: what a missed change can leave stale. 0: nothing is held. */
  maxAgeMs: number;
  /** Users held at most (the least recently read leave first). */
  maxEntries?: number;
  /**
   * Whether other replicas' changes reach `forget` now (the change feed is in its Kafka group). While
   * not, nothing is held or served from memory.
   */
  live: () => boolean;
  now?: () => number;
  onRead?: (source: 'memory' | 'store', count: number) => void;
}

/**
 * The users GraphQL shows (`me`, `User` by reference), held in memory between reads: `me` is
 * among the most frequent requests, and a user changes rarely. Decisions (a plan change's
 * compare-and-set, a refresh, an API key) read the store (`UserRepository`), never this.
 *
 * Fresh on the replica that writes: the repository calls `forget` after each write of a user, and a
 * read that was under way when a user was forgotten is not held. Other replicas forget it when the
 * change's event arrives (`messaging/user-changes.ts`), within its delivery time; `maxAgeMs` bounds
 * what a lost event leaves stale.
 */
export class CachedUserReads {
  private readonly held = new Map<string, { user: User; at: number }>();
  /** Reads under way, per user: a `forget` meanwhile marks them so their result is not held. */
  private readonly reading = new Map<string, Set<{ stale: boolean }>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<UserRepository, 'findByIds'>,
    private readonly options: CachedUserReadsOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async findById(id: string): Promise<User | null> {
    const [user] = await this.findByIds([id]);
    return user ?? null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    const { maxAgeMs, onRead } = this.options;
    if (maxAgeMs === 0 || !this.options.live()) {
      if (this.held.size > 0) this.held.clear();
      onRead?.('store', ids.length);
      return this.store.findByIds(ids);
    }
    const now = this.now();
    const users: User[] = [];
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const held = this.held.get(id);
      if (held && now - held.at < maxAgeMs) {
        // Most recently read last.
        this.held.delete(id);
        this.held.set(id, held);
        users.push(copy(held.user));
      } else missing.push(id);
    }
    if (users.length > 0) onRead?.('memory', users.length);
    if (missing.length === 0) return users;
    onRead?.('store', missing.length);
    const tickets = new Map(missing.map((id) => [id, this.startReading(id)]));
    try {
      for (const user of await this.store.findByIds(missing)) {
        if (!tickets.get(user.id)?.stale) this.hold(user, now);
        users.push(user);
      }
      return users;
    } finally {
      for (const [id, ticket] of tickets) this.stopReading(id, ticket);
    }
  }

  /** The user changed: read it from the store next time (and not hold a read under way). */
  forget(id: string): void {
    this.held.delete(id);
    for (const ticket of this.reading.get(id) ?? []) ticket.stale = true;
  }

  private hold(user: User, at: number): void {
    this.held.delete(user.id);
    if (this.held.size >= this.maxEntries) this.held.delete(this.held.keys().next().value as string);
    this.held.set(user.id, { user: copy(user), at });
  }

  private startReading(id: string): { stale: boolean } {
    const ticket = { stale: false };
    const set = this.reading.get(id) ?? new Set();
    set.add(ticket);
    this.reading.set(id, set);
    return ticket;
  }

  private stopReading(id: string, ticket: { stale: boolean }): void {
    const set = this.reading.get(id);
    set?.delete(ticket);
    if (set?.size === 0) this.reading.delete(id);
  }
}
