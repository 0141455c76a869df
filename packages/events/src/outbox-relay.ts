import type { Collection, Document } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { DELETED_FIELD, OUTBOX_FIELD, type OutboxEntry } from './outbox.js';
import type { EventPublisher } from './kafka.js';
import { withDocumentLock } from './document-lock.js';
import { gaugeFrom } from '@ytm/metrics';
import { deleteOneById } from '@ytm/mongo';

export interface OutboxRelayOptions {
  /** Collections whose documents may carry an outbox. */
  collections: Collection[];
  publisher: Pick<EventPublisher, 'send'>;
  logger: Logger;
  pollIntervalMs?: number;
  /**
   * Polls that find nothing back off to this interval (default 60 s). Writers `notify()` the
   * relay, so a poll only catches what a crashed process left behind; on FerretDB every poll
   * reads whole collections (no index serves `_outbox.0`): resource's users, likes, playlist
   * versions and keys (a read of 50,000 likes took 1.3 s), which every 10 s was a tenth of a
   * core for the relay of each replica alone, growing with history.
   */
  maxIdleIntervalMs?: number;
  batchSize?: number;
  maxBackoffMs?: number;
}

/** Messages per Kafka send (well under the broker's 1 MB batch limit for our envelopes). */
const SEND_CHUNK = 200;
/** Outbox removals in flight at once. */
const WRITE_CONCURRENCY = 8;
/** Documents named by writers and not drained yet; more than this (Kafka down) and the next pass scans instead. */
const MAX_HINTS = 10_000;
/** The metrics gauge counts the backlog at most this often (a count reads every document of every outbox collection). */
const BACKLOG_COUNT_EVERY_MS = 15_000;

type OutboxDoc = Document & { _id: unknown; [OUTBOX_FIELD]?: OutboxEntry[]; [DELETED_FIELD]?: boolean };

/**
 * Publishes events written to documents' outboxes, then removes them (at-least-once: a crash
 * between the two publishes again; consumers dedupe by event id). Runs in every replica; two
 * replicas racing only cause duplicates, never losses.
 *
 * A writer that names the document it wrote (`notify(collection, id)`) has it drained by reads by
 * `_id`; FerretDB answers the filter on `_outbox.0` of a scan only by reading every document of the
 * collection, so scans run on the poll schedule (to catch what a stopped process left), after
 * an unnamed `notify()`, and while a scan still finds events — not once per write.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly log: Logger;
  private failures = 0;
  private notified = false;
  /** A scan is wanted at the next pass (an unnamed notify, too many names, the start). */
  private scanWanted = true;
  /** Documents named by writers, by collection name. */
  private hints = new Map<string, Set<unknown>>();
  private hinted = 0;
  private backlogCount: { at: number; value: Promise<number> } | undefined;
  private lastScanFound: number | undefined;
  published = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = options.logger.child({ component: 'outbox-relay' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    gaugeFrom(
      'ytm_outbox_backlog',
      'Events written to the outbox and not yet published to Kafka (counted at most every 15 s while publishing fails or a scan finds events)',
      () => this.recentBacklog(),
    );
    gaugeFrom('ytm_outbox_published_total', 'Events published by this process', () => this.published);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Called after a local write so its events go out now rather than at the next poll: with the
   * collection and `_id` of the document written, that document is read by `_id`; without, the
   * next pass scans the collections.
   */
  notify(collection?: string, id?: unknown): void {
    if (collection === undefined || id === undefined || this.hinted >= MAX_HINTS) this.scanWanted = true;
    else {
      const ids = this.hints.get(collection) ?? new Set<unknown>();
      if (!ids.has(id)) this.hinted += 1;
      this.hints.set(collection, ids.add(id));
    }
    this.notified = true;
    this.wake?.();
  }

  /** Whether the relay runs, its last scan found nothing and no publish has failed since: nothing is held up. */
  get idle(): boolean {
    return this.running && this.failures === 0 && this.lastScanFound === 0;
  }

  /**
   * For the metrics gauge. While the relay is `idle`, the documents writers named and it has not
   * drained yet (they go within milliseconds), without a count: a count reads every document of
   * every outbox collection on FerretDB (1.3 s at 50,000 likes), and a scrape every 15 s would
   * cost that much of the store's time, growing with history. Otherwise (publishing fails, a scan
   * still finds events, not started) the backlog as last counted, counted again when that count
   * is older than 15 s: scrapes, however frequent, cost one count per 15 s (concurrent ones share it).
   */
  recentBacklog(now = Date.now()): Promise<number> {
    if (this.idle) return Promise.resolve(this.hinted);
    if (!this.backlogCount || now - this.backlogCount.at >= BACKLOG_COUNT_EVERY_MS) {
      const count = { at: now, value: this.backlog() };
      // A failed count is not kept: the next scrape counts again.
      count.value.catch(() => {
        if (this.backlogCount === count) this.backlogCount = undefined;
      });
      this.backlogCount = count;
    }
    return this.backlogCount.value;
  }

  /** Number of events not yet published: reads every document of every outbox collection. */
  async backlog(): Promise<number> {
    let n = 0;
    for (const c of this.options.collections) {
      const docs = await c.find({ [`${OUTBOX_FIELD}.0`]: { $exists: true } }, { projection: { [OUTBOX_FIELD]: 1 } }).toArray();
      for (const d of docs as OutboxDoc[]) n += d[OUTBOX_FIELD]?.length ?? 0;
    }
    return n;
  }

  /** Publishes everything pending once; returns how many events went out. */
  async drainOnce(): Promise<number> {
    const { collections, batchSize = 500 } = this.options;
    let sent = 0;
    for (const collection of collections) {
      const docs = (await collection
        .find({ [`${OUTBOX_FIELD}.0`]: { $exists: true } }, { projection: { [OUTBOX_FIELD]: 1, [DELETED_FIELD]: 1 } })
        .limit(batchSize)
        .toArray()) as OutboxDoc[];
      if (docs.length > 0) sent += await this.publishDocs(collection, docs);
    }
    return sent;
  }

  /** Publishes the events of the documents writers named, read by `_id`; names not drained (a failure) stay for the next pass. */
  private async drainNamed(): Promise<number> {
    if (this.hints.size === 0) return 0;
    const hints = this.hints;
    this.hints = new Map();
    this.hinted = 0;
    let sent = 0;
    try {
      for (const collection of this.options.collections) {
        const ids = hints.get(collection.collectionName);
        if (!ids) continue;
        const found = await Promise.all(
          [...ids].map(
            (id) => collection.findOne({ _id: id as never }, { projection: { [OUTBOX_FIELD]: 1, [DELETED_FIELD]: 1 } }) as Promise<OutboxDoc | null>,
          ),
        );
        const docs = found.filter((d): d is OutboxDoc => (d?.[OUTBOX_FIELD]?.length ?? 0) > 0);
        if (docs.length > 0) sent += await this.publishDocs(collection, docs);
        hints.delete(collection.collectionName);
      }
    } catch (err) {
      for (const [collection, ids] of hints) for (const id of ids) this.notify(collection, id);
      throw err;
    }
    return sent;
  }

  /**
   * Publishes many documents' events in a few large sends (a full library scan emits thousands),
   * then removes them from their documents a few at a time.
   */
  private async publishDocs(collection: Collection, docs: OutboxDoc[]): Promise<number> {
    const pending = docs.map((doc) => ({ doc, entries: [...(doc[OUTBOX_FIELD] ?? [])].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime()) }));
    // Per-entity order: a document's events stay in order within the send (same key, same partition).
    const byTopic = new Map<string, OutboxEntry[]>();
    for (const { entries } of pending) for (const e of entries) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
    for (const [topic, list] of byTopic) {
      for (let i = 0; i < list.length; i += SEND_CHUNK) {
        await this.options.publisher.send(
          topic,
          list
            .slice(i, i + SEND_CHUNK)
            .map((e) => ({ key: e.key, value: e.value, headers: { 'ce-id': e.id, ...(e.traceparent ? { traceparent: e.traceparent } : {}) } })),
        );
      }
    }
    let count = 0;
    for (let i = 0; i < pending.length; i += WRITE_CONCURRENCY) {
      await Promise.all(
        pending.slice(i, i + WRITE_CONCURRENCY).map(async ({ doc, entries }) => {
          // $pullAll with the exact entries (FerretDB ignores $pull with a condition), serialised with
          // this process's own writes to the document (see withDocumentLock).
          await withDocumentLock(collection.collectionName, doc._id, async () => {
            await collection.updateOne({ _id: doc._id }, { $pullAll: { [OUTBOX_FIELD]: entries } } as never);
            if (doc[DELETED_FIELD]) {
              await deleteOneById(collection, doc._id, { [DELETED_FIELD]: true, [`${OUTBOX_FIELD}.0`]: { $exists: false } });
            }
          });
          count += entries.length;
        }),
      );
    }
    this.published += count;
    return count;
  }

  private async run(): Promise<void> {
    const { pollIntervalMs = 500, maxIdleIntervalMs = 60_000, maxBackoffMs = 5_000 } = this.options;
    let idlePolls = 0;
    let nextScanAt = 0;
    while (this.running) {
      let delay = pollIntervalMs;
      this.notified = false;
      try {
        await this.drainNamed();
        let scanned = -1;
        if (this.scanWanted || Date.now() >= nextScanAt) {
          this.scanWanted = false;
          scanned = await this.drainOnce();
          this.lastScanFound = scanned;
        }
        if (this.failures > 0) this.log.info({ afterFailures: this.failures }, 'outbox relay recovered');
        this.failures = 0;
        if (scanned > 0) {
          // A scan found events: more may be left (a batch is at most batchSize documents).
          idlePolls = 0;
          this.scanWanted = true;
          continue;
        }
        if (scanned === 0) {
          nextScanAt = Date.now() + Math.min(maxIdleIntervalMs, pollIntervalMs * 2 ** Math.min(idlePolls, 10));
          idlePolls += 1;
        }
        delay = Math.max(0, nextScanAt - Date.now());
      } catch (err) {
        this.failures += 1;
        this.scanWanted = true;
        delay = Math.min(maxBackoffMs, pollIntervalMs * 2 ** Math.min(this.failures, 6));
        // Stopped during the pass (the publisher closed under it): the events stay in the outbox.
        if (this.running && (this.failures === 1 || this.failures % 10 === 0)) {
          this.log.warn({ err: (err as Error).message, failures: this.failures, retryInMs: delay }, 'outbox publish failed; will retry');
        }
      }
      if (!this.running) break; // stopped during the pass: no pause after it
      if (this.notified && this.failures === 0) continue;
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
