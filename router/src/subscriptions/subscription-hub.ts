import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Envelope } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import { counter } from '@ytm/metrics';
import type { ActiveSubscription } from './active-subscription.js';
import { resolveEvent, type EntityFetcher, type ResolvedEvent } from './event-resolver.js';
import { likeKey, type LikesLookup } from './likes-client.js';
import { likedPositions, withLiked, type LikedPosition } from './viewer-fields.js';

const entityFetches = counter(
  'ytm_subscription_entity_fetches_total',
  'Planned queries the router ran to resolve subscription events (one per group of subscribers whose results cannot differ, per event)',
);
const likesLookups = counter(
  'ytm_subscription_likes_lookups_total',
  "Calls of resource's LikesOfUsers to fill in Track.liked for all subscribers of a burst of events at once",
);
const internalError = () => new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
const FORBIDDEN = () => new GraphQLError('You may no longer read this', { extensions: { code: 'FORBIDDEN' } });

/** Events resolved together (a scan's burst): their fetches run side by side, their likes are read in one call. */
const MAX_BURST = 64;
/** Events queued at most; Kafka's consumer waits beyond (the router's memory stays bounded). */
const MAX_PENDING = 2_000;
/** Planned queries in flight at once. */
const FETCH_CONCURRENCY = 16;

/** One event for one group of subscribers whose results cannot differ. */
interface Job {
  eventId: string;
  subs: ActiveSubscription[];
  payload: Record<string, unknown>;
  entityId: string | null;
  readers: ActiveSubscription[];
  forbidden: ActiveSubscription[];
  shared: ExecutionResult;
  positions: LikedPosition[];
  own?: (sub: ActiveSubscription) => ExecutionResult;
}

/**
 * Fans Kafka events out to subscribers. Subscribers with the same operation and variables share
 * one resolution per event: all users alike when the selection reads nothing user-dependent (each
 * then gets it if the field's access rule lets them read the entity; `Track.liked` is filled in
 * for each from one likes lookup), else per user. Events that arrive while others are resolved
 * form a burst: resolved side by side, their likes read in one call, delivered in order, none
 * dropped. Each subscriber has its own bounded queue, so a slow client only ever affects itself.
 */
export class SubscriptionHub {
  private readonly subs = new Set<ActiveSubscription>();
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  private readonly pending: Array<{ topic: string; event: Envelope; done: () => void }> = [];
  private readonly roomWaiters: Array<() => void> = [];
  private draining = false;
  delivered = 0;
  /** Planned queries run for events (the metric ytm_subscription_entity_fetches_total, per hub). */
  fetches = 0;

  constructor(
    private readonly fetchEntities: EntityFetcher,
    private readonly logger: Logger,
    private readonly dedupeWindow = 10_000,
    /** Reads `Track.liked` for many subscribers at once; without it such selections are fetched per user. */
    readonly likes?: LikesLookup,
  ) {}

  get size(): number {
    return this.subs.size;
  }

  add(sub: ActiveSubscription): void {
    this.subs.add(sub);
  }

  remove(sub: ActiveSubscription): void {
    this.subs.delete(sub);
  }

  /** Ends every subscription (supergraph reload, shutdown). */
  endAll(): void {
    for (const s of this.subs) s.queue.end();
    this.subs.clear();
  }

  /** Queues the event (waiting while MAX_PENDING are queued): what the Kafka consumer awaits. */
  async accept(topic: string, event: Envelope): Promise<void> {
    while (this.pending.length >= MAX_PENDING) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    void this.dispatch(topic, event);
  }

  /** Queues the event; resolves once it reached every subscriber's queue. */
  dispatch(topic: string, event: Envelope): Promise<void> {
    // Kafka delivers at least once; a redelivered event is shown once.
    if (this.recent.has(event.id)) return Promise.resolve();
    this.remember(event.id);
    return new Promise((done) => {
      this.pending.push({ topic, event, done });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.pending.length > 0) {
      const burst = this.pending.splice(0, MAX_BURST);
      for (const wake of this.roomWaiters.splice(0)) wake();
      try {
        await this.deliverBurst(burst.map(({ topic, event }) => this.jobsFor(topic, event)));
      } catch (err) {
        this.logger.error({ err }, 'could not deliver a burst of events');
      }
      for (const b of burst) b.done();
    }
    this.draining = false;
  }

  private jobsFor(topic: string, event: Envelope): Job[] {
    const groups = new Map<string, Job>();
    for (const sub of this.subs) {
      if (sub.field.topic !== topic) continue;
      const mapped = sub.field.toPayload(event, sub.args);
      if (!mapped) continue;
      const group = groups.get(sub.shareKey);
      if (group) group.subs.push(sub);
      else groups.set(sub.shareKey, { eventId: event.id, subs: [sub], ...mapped, readers: [], forbidden: [], shared: {}, positions: [] });
    }
    return [...groups.values()];
  }

  private async deliverBurst(events: Job[][]): Promise<void> {
    const jobs = events.flat();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await this.resolve(jobs[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, jobs.length) }, worker));
    await this.fillLikes(jobs.filter((j) => j.positions.length > 0));
    // In event order, so that every subscriber sees the events as Kafka gave them.
    for (const job of jobs) {
      for (const sub of job.forbidden) {
        if (sub.queue.ended) continue;
        sub.queue.push({ errors: [FORBIDDEN()] });
        sub.queue.end();
      }
      for (const sub of job.readers) {
        if (sub.queue.ended) continue; // forbidden, or gone, at an earlier event of the burst
        if (sub.queue.push(job.own ? job.own(sub) : job.shared)) this.delivered += 1;
        else sub.onOverflow();
      }
    }
  }

  /** One job's fetch (as a subscriber the access rule always allows, when there is one) and who may read it. */
  private async resolve(job: Job): Promise<void> {
    const { subs, entityId } = job;
    const first = subs[0]!;
    const access = first.sharedAcrossUsers ? first.field.access : undefined;
    // A null answer for the owner means the entity is gone for everyone; without an owner here,
    // no subscriber can read what this one cannot (the rule allows them no more than it).
    const fetcher = (access && subs.find((s) => s.accessData && access.alwaysAllows(s.viewer, s.accessData))) || first;
    let resolved: ResolvedEvent;
    try {
      if (first.entityQuery && entityId !== null) {
        this.fetches += 1;
        entityFetches.inc();
      }
      resolved = await resolveEvent(fetcher, job.payload, entityId, this.fetchEntities);
    } catch (err) {
      this.logger.error({ err, eventId: job.eventId }, 'could not resolve event for subscribers');
      resolved = { result: { errors: [internalError()] }, forbidden: false };
    }
    for (const sub of subs) {
      const denied = resolved.forbidden || (access && entityId !== null && resolved.access && !access.allows(sub.viewer, resolved.access));
      (denied ? job.forbidden : job.readers).push(sub);
    }
    // No access data (the fetch failed): the errors only, never data the rule did not clear.
    job.shared = access && entityId !== null && !resolved.access ? { errors: resolved.result.errors ?? [] } : resolved.result;
    if (first.likedBatched && this.likes && job.shared.data && resolved.entities && job.readers.length > 0)
      job.positions = likedPositions(resolved.entities, [first.responseKey]);
  }

  /** `Track.liked` of every reader of every job in the burst, from one likes lookup. */
  private async fillLikes(jobs: Job[]): Promise<void> {
    if (jobs.length === 0 || !this.likes) return;
    const users = new Set(jobs.flatMap((j) => j.readers.map((s) => s.viewer.id)));
    const tracks = new Set(jobs.flatMap((j) => j.positions.map((p) => p.trackId)));
    try {
      likesLookups.inc();
      const liked = await this.likes([...users], [...tracks]);
      for (const job of jobs) {
        const { shared, positions } = job;
        job.own = (sub) => ({ ...shared, data: withLiked(shared.data, positions, (t) => liked.has(likeKey(sub.viewer.id, t))) as ExecutionResult['data'] });
      }
    } catch (err) {
      this.logger.error({ err, events: jobs.length }, 'could not read the likes of subscribers');
      for (const job of jobs) job.shared = { errors: [internalError()] };
    }
  }

  private remember(id: string): void {
    this.recent.add(id);
    this.recentOrder.push(id);
    if (this.recentOrder.length > this.dedupeWindow) this.recent.delete(this.recentOrder.shift()!);
  }
}
