import type { Model } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { deleteOneById, findByIds, isDuplicateKeyError, upsert } from '@ytm/mongo';
import { FOLD_BATCH, foldCount, foldRecent, type PlayStep } from '../domain/play-stats.js';
import type { Lease } from './lease.js';
import type { PlayCountFeed } from './play-count-view.js';
import type { PlayDoc } from './play.model.js';
import type { PlayCountDoc, PlayStatsModels, RecentPlaysDoc } from './play-stats.model.js';
import { migratePlayStats } from './play-stats.migration.js';

export interface PlayFolderOptions {
  models: PlayStatsModels;
  history: Model<PlayDoc>;
  lease: Lease;
  /** Where the counters written are announced to every replica's PlayCountView. */
  feed?: PlayCountFeed;
  logger: Logger;
  /** Passes while there is work; idle passes back off to `maxIdleMs`. */
  pollMs?: number;
  maxIdleMs?: number;
}

type PendingRow = PlayStep & { _outbox?: unknown[] };

/**
 * Folds recorded play steps (`play_pending`) into per-track counters and per-user recent lists,
 * copies them into the history, and deletes each step once folded and published. One replica folds
 * at a time (a lease), so each statistics document has one writer (FerretDB loses concurrent
 * updates of a document). Folding a step twice (a crash, a lease moving on) changes nothing: a
 * counter remembers the last steps it counted, a recent list is keyed by ticket, and a step whose
 * history insert finds it already there was folded before.
 */
export class PlayFolder {
  /** Steps this process folded whose events were not yet published when it did. */
  private readonly folded = new Set<string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private notified = false;
  private migrated = false;
  private readonly log: Logger;
  /** Steps counted by this process (health, tests). */
  foldedTotal = 0;

  constructor(private readonly o: PlayFolderOptions) {
    this.log = o.logger.child({ component: 'play-folder' });
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
    await this.o.lease.release().catch(() => undefined);
  }

  /** A step was just recorded here: fold it now rather than at the next poll. */
  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /** One pass: folds up to a batch of pending steps when this replica holds the lease; returns how many were new. */
  async foldOnce(): Promise<number> {
    if (!(await this.o.lease.hold(5_000))) return 0;
    if (!this.migrated) this.migrated = await migratePlayStats(this.o.models, this.o.history, this.log);
    if (!this.migrated) return 0;
    const rows = await this.o.models.pending.collection
      .find({})
      .limit(10 * FOLD_BATCH)
      .toArray();
    const pending = (rows as unknown as Array<PendingRow & { _id: string }>).map((r) => ({ ...r, id: r._id }));
    const todo = pending
      .filter((p) => !this.folded.has(p.id))
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .slice(0, FOLD_BATCH);
    if (todo.length > 0) await this.fold(todo);
    for (const p of todo) this.folded.add(p.id);
    await this.deletePublished(pending);
    if (rows.length < 10 * FOLD_BATCH) {
      const present = new Set(pending.map((p) => p.id));
      for (const id of this.folded) if (!present.has(id)) this.folded.delete(id);
    }
    return todo.length;
  }

  private async fold(steps: PendingRow[]): Promise<void> {
    const { counts, recent } = this.o.models;
    const trackIds = [...new Set(steps.filter((s) => s.kind === 'completed').map((s) => s.trackId))];
    const current = new Map((await findByIds<PlayCountDoc>(counts.collection, trackIds)).map((d) => [d._id, d]));
    // A step counts when its history insert is the first: one already there was folded before
    // (by another holder, or before a crash; a crash between this insert and the counter's write
    // loses that one play, it never counts one twice). Counters skip the steps they remember.
    const fresh: PlayStep[] = [];
    for (const s of steps) if (await this.insertHistory(s)) fresh.push(s);
    const written = new Map<string, number>();
    for (const trackId of trackIds) {
      const doc = current.get(trackId);
      const next = foldCount(
        doc ? { count: doc.count, applied: doc.applied } : null,
        fresh.filter((s) => s.trackId === trackId),
      );
      if (!next) {
        // Folded before (a crash or a lost lease between the counter's write and its announcement):
        // announce the count again, so every view has it without reading every counter.
        if (doc) written.set(trackId, doc.count);
        continue;
      }
      await upsert(() => counts.replaceOne({ _id: trackId }, next, { upsert: true }));
      written.set(trackId, next.count);
      this.foldedTotal += next.count - (doc?.count ?? 0);
    }
    const userIds = [...new Set(steps.map((s) => s.userId))];
    const lists = new Map((await findByIds<RecentPlaysDoc>(recent.collection, userIds)).map((d) => [d._id, d.plays]));
    for (const userId of userIds) {
      const before = (lists.get(userId) ?? []).map((p) => ({ ticketId: p.ticketId, trackId: p.trackId, playedAt: p.at, completed: p.completed }));
      const next = foldRecent(
        before,
        steps.filter((s) => s.userId === userId),
      );
      if (!next) continue;
      const plays = next.map((p) => ({ ticketId: p.ticketId, trackId: p.trackId, at: p.playedAt, completed: p.completed }));
      await upsert(() => recent.replaceOne({ _id: userId }, { plays }, { upsert: true }));
    }
    // After the counters and lists: a view may lag the store, never lead it. Every track and user
    // of the batch is announced, written now or before: until this append the steps stay pending
    // and are folded again.
    await this.o.feed?.append(written, new Date(), userIds);
  }

  /** True when this call wrote the step into the history (false: it was there already). */
  private async insertHistory(s: PlayStep): Promise<boolean> {
    try {
      await this.o.history.collection.insertOne({ _id: s.id as never, kind: s.kind, ticketId: s.ticketId, userId: s.userId, trackId: s.trackId, at: s.at });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Folded steps whose event is out leave the pending log (a step still carrying its event waits for the relay). */
  private async deletePublished(pending: PendingRow[]): Promise<void> {
    for (const p of pending) {
      if (!this.folded.has(p.id) || (p._outbox?.length ?? 0) > 0) continue;
      await deleteOneById(this.o.models.pending.collection, p.id, { '_outbox.0': { $exists: false } });
      this.folded.delete(p.id);
    }
  }

  private async run(): Promise<void> {
    const { pollMs = 500, maxIdleMs = 5_000 } = this.o;
    let idle = 0;
    let failures = 0;
    while (this.running) {
      this.notified = false;
      let delay = pollMs;
      try {
        const n = await this.foldOnce();
        failures = 0;
        idle = n > 0 ? 0 : idle + 1;
        delay = n > 0 ? 0 : Math.min(maxIdleMs, pollMs * 2 ** Math.min(idle, 6));
      } catch (err) {
        failures += 1;
        delay = Math.min(maxIdleMs, pollMs * 2 ** Math.min(failures, 6));
        if (failures === 1 || failures % 10 === 0) this.log.warn({ err: (err as Error).message, failures }, 'folding plays failed; will retry');
      }
      if (this.notified && failures === 0) continue;
      if (delay === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
