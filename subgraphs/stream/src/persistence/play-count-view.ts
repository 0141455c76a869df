import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { findByIds, isDuplicateKeyError, upsert } from '@ytm/mongo';
import type { PlayStatsModels } from './play-stats.model.js';
import type { PlayRecord } from '../domain/ticket.js';
import { PLAY_STATS_MIGRATION } from './play-stats.migration.js';
import { RecentPlaysCache } from './recent-plays-cache.js';

/**
 * `play_count_changes`: the counters the folder wrote, in order. `_id` is the zero-padded
 * sequence number (a string: FerretDB seeks only string or ObjectId `_id`s); the document `head`
 * holds the last sequence number written (a hint that may lag, never lead) and the `epoch`, which
 * whoever rewrites `play_counts` other than by folding replaces, so that every view reloads.
 */
interface ChangeDoc {
  _id: string;
  counts: Array<{ t: string; c: number }>;
  /** Users whose recent plays the fold wrote (before this document). */
  users?: string[];
  at: Date;
}
interface HeadDoc {
  _id: 'head';
  seq: number;
  epoch?: string;
}

const HEAD = 'head';
const seqId = (n: number) => String(n).padStart(12, '0');

async function readHead(changes: Collection): Promise<{ seq: number; epoch: string }> {
  const head = await changes.findOne<HeadDoc>({ _id: HEAD as never }, { projection: { seq: 1, epoch: 1 } });
  return { seq: head?.seq ?? 0, epoch: head?.epoch ?? '' };
}

/** After `play_counts` was written other than by the folder (a restore, a bulk import): every PlayCountView reads it all again. */
export async function announcePlayCountsRewritten(changes: Collection): Promise<void> {
  await upsert(() => changes.updateOne({ _id: HEAD as never }, { $set: { epoch: randomUUID() } }, { upsert: true }));
}

/**
 * The writing side, used by the play folder under its lease after it wrote counters: one change
 * document per fold, claimed by insert (a racing writer takes the next number), then `head`.
 */
export class PlayCountFeed {
  private next = 0;
  private prunedAt = 0;

  constructor(
    private readonly changes: Collection,
    /** This replica's view: it takes the counts at once (its own reads see a fold as soon as it is written). */
    private readonly local?: Pick<PlayCountView, 'absorb' | 'recent'>,
    /** Changes older than this are deleted; a view further behind reloads every counter. */
    readonly retentionMs = 10 * 60_000,
  ) {}

  /** After the counters and recent lists were written: their counts, and the users whose lists were written. */
  async append(counts: ReadonlyMap<string, number>, now = new Date(), users: readonly string[] = []): Promise<void> {
    if (counts.size === 0 && users.length === 0) return;
    this.local?.absorb(counts);
    this.local?.recent.invalidate(users);
    if (this.next === 0) this.next = (await readHead(this.changes)).seq + 1;
    const doc = { counts: [...counts].map(([t, c]) => ({ t, c })), ...(users.length > 0 ? { users: [...users] } : {}), at: now };
    for (;;) {
      try {
        await this.changes.insertOne({ _id: seqId(this.next) as never, ...doc });
        break;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        this.next += 1;
      }
    }
    const seq = this.next;
    this.next += 1;
    await upsert(() => this.changes.updateOne({ _id: HEAD as never }, { $max: { seq } }, { upsert: true }));
    if (now.getTime() - this.prunedAt > this.retentionMs / 4) {
      this.prunedAt = now.getTime();
      await this.changes.deleteMany({ at: { $lt: new Date(now.getTime() - this.retentionMs) } });
    }
  }
}

export interface PlayCountViewOptions {
  models: Pick<PlayStatsModels, 'counts' | 'leases'>;
  changes: Collection;
  logger: Logger;
  /** How often `head` is read (the bound, beyond the folder's own delay, on how stale a count is). */
  pollMs?: number;
  /**
   * Every counter is read again this often, whatever the feed says (default: never). Not needed
   * for consistency: the folder announces every track of a batch before the batch leaves the
   * pending log (again when a batch is folded a second time after a crash), a change the view
   * missed is read by `_id` or, when already deleted, makes it reload, and a rewrite behind the
   * folder changes the epoch.
   */
  reloadMs?: number;
  /** Further behind than this many changes: reload rather than read them. */
  maxCatchUp?: number;
}

/**
 * Every track's play count, in this replica's memory: read once from `play_counts`, then kept
 * current from the change feed (one read of `head` per poll, one read by `_id` per change). Counts
 * only grow, so a change applied twice, or after a newer one, changes nothing (the larger wins).
 * Until the first load is done (or after the store failed for a while), `counts` returns
 * undefined and the caller reads `play_counts` itself.
 */
export class PlayCountView {
  private counts = new Map<string, number>();
  private last = 0;
  private epoch = '';
  private loadedAt = 0;
  private polledAt = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly log: Logger;
  /** Users' recent plays, kept right by the same feed (`users` of each change). */
  readonly recent = new RecentPlaysCache();

  constructor(private readonly o: PlayCountViewOptions) {
    this.log = o.logger.child({ component: 'play-count-view' });
  }

  /** The counts of these tracks (0 for a track never played), or undefined when not current. */
  get(trackIds: readonly string[], now = Date.now()): Map<string, number> | undefined {
    if (!this.current(now)) return undefined;
    const out = new Map<string, number>();
    for (const id of trackIds) {
      const c = this.counts.get(id);
      if (c !== undefined) out.set(id, c);
    }
    return out;
  }

  /** A user's recent plays as last read, or undefined when not held or the view is not current (read the store, then `recent.remember`). */
  recentPlays(userId: string, now = Date.now()): PlayRecord[] | undefined {
    return this.current(now) ? this.recent.get(userId) : undefined;
  }

  private current(now: number): boolean {
    const { pollMs = 250 } = this.o;
    return this.loadedAt !== 0 && now - this.polledAt <= Math.max(30_000, 20 * pollMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One step: the first load, a periodic or catch-up reload, or the changes since the last step. */
  async refresh(now = Date.now()): Promise<void> {
    const { reloadMs = Infinity, maxCatchUp = 200 } = this.o;
    const { seq: head, epoch } = await readHead(this.o.changes);
    // Counters rewritten behind the folder: answer nothing (callers read the store) until reloaded.
    if (epoch !== this.epoch) this.loadedAt = 0;
    if (this.loadedAt === 0 || now - this.loadedAt > reloadMs || head - this.last > maxCatchUp || epoch !== this.epoch) return this.reload(head, epoch, now);
    if (head > this.last) {
      const wanted = Array.from({ length: head - this.last }, (_, i) => seqId(this.last + 1 + i));
      const docs = await findByIds<ChangeDoc>(this.o.changes, wanted);
      // A change already deleted: this replica fell behind the feed's retention.
      if (docs.length < wanted.length) return this.reload(head, epoch, now);
      for (const d of docs) {
        for (const { t, c } of d.counts) this.apply(t, c);
        if (d.users) this.recent.invalidate(d.users);
      }
      this.last = head;
    }
    this.polledAt = now;
  }

  /** Counts this replica's folder just wrote to `play_counts`. */
  absorb(counts: ReadonlyMap<string, number>): void {
    for (const [trackId, count] of counts) this.apply(trackId, count);
  }

  private apply(trackId: string, count: number): void {
    if (count > (this.counts.get(trackId) ?? 0)) this.counts.set(trackId, count);
  }

  /** `head` was read before the counters, so every change after it is read again later (and applying one twice is harmless). */
  private async reload(head: number, epoch: string, now: number): Promise<void> {
    // Before the first start's migration, `play_counts` does not hold the history's counts yet.
    if (!(await this.o.models.leases.exists({ _id: PLAY_STATS_MIGRATION }))) return;
    const started = Date.now();
    const next = new Map<string, number>();
    for await (const d of this.o.models.counts.collection.find<{ _id: string; count: number }>({}, { projection: { count: 1 } })) next.set(d._id, d.count);
    this.counts = next;
    // Changes of users' lists may have been missed too.
    this.recent.clear();
    this.last = head;
    this.epoch = epoch;
    this.loadedAt = now;
    this.polledAt = now;
    this.log.info({ tracks: next.size, ms: Date.now() - started }, 'play counts loaded');
  }

  private async run(): Promise<void> {
    const { pollMs = 250 } = this.o;
    let failures = 0;
    while (this.running) {
      try {
        await this.refresh();
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) this.log.warn({ err: (err as Error).message, failures }, 'reading play count changes failed; will retry');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs * 2 ** Math.min(failures, 4));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
