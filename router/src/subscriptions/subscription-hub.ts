import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Envelope } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import { counter } from '@ytm/metrics';
import type { ActiveSubscription } from './active-subscription.js';
import { resolveEvent, type EntityFetcher, type ResolvedEvent } from './event-resolver.js';
import { likeKey, type LikesLookup } from './likes-client.js';
import { likedPositions, withLiked } from './viewer-fields.js';

const entityFetches = counter(
  'ytm_subscription_entity_fetches_total',
  'Planned queries the router ran to resolve subscription events (one per group of subscribers whose results cannot differ, per event)',
);
const likesLookups = counter(
  'ytm_subscription_likes_lookups_total',
  "Calls of resource's LikesOfUsers to fill in Track.liked of an event for all its subscribers at once",
);
const internalError = () => new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
const FORBIDDEN = () => new GraphQLError('You may no longer read this', { extensions: { code: 'FORBIDDEN' } });

/**
 * Fans Kafka events out to subscribers. Subscribers with the same operation and variables share
 * one resolution per event: all users alike when the selection reads nothing user-dependent (each
 * then gets it if the field's access rule lets them read the entity), else per user. Each has its
 * own bounded queue, so a slow client only ever affects itself.
 */
export class SubscriptionHub {
  private readonly subs = new Set<ActiveSubscription>();
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
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

  async dispatch(topic: string, event: Envelope): Promise<void> {
    // Kafka delivers at least once; a redelivered event is shown once.
    if (this.recent.has(event.id)) return;
    this.remember(event.id);
    const groups = new Map<string, { subs: ActiveSubscription[]; payload: Record<string, unknown>; entityId: string | null }>();
    for (const sub of this.subs) {
      if (sub.field.topic !== topic) continue;
      const mapped = sub.field.toPayload(event, sub.args);
      if (!mapped) continue;
      const group = groups.get(sub.shareKey);
      if (group) group.subs.push(sub);
      else groups.set(sub.shareKey, { subs: [sub], ...mapped });
    }
    await Promise.all([...groups.values()].map((g) => this.deliver(event.id, g.subs, g.payload, g.entityId)));
  }

  /** One group's event: one fetch, then each subscriber's result (access rule, own likes). */
  private async deliver(eventId: string, subs: ActiveSubscription[], payload: Record<string, unknown>, entityId: string | null): Promise<void> {
    const first = subs[0]!;
    const access = first.sharedAcrossUsers ? first.field.access : undefined;
    // Fetched as a subscriber the rule always allows (the owner) when there is one: a null
    // answer then means the entity is gone for everyone; without one, no subscriber here can
    // read what this one cannot (the rule allows them no more than it).
    const fetcher = (access && subs.find((s) => s.accessData && access.alwaysAllows(s.viewer, s.accessData))) || first;
    let resolved: ResolvedEvent;
    try {
      if (first.entityQuery && entityId !== null) {
        this.fetches += 1;
        entityFetches.inc();
      }
      resolved = await resolveEvent(fetcher, payload, entityId, this.fetchEntities);
    } catch (err) {
      this.logger.error({ err, eventId }, 'could not resolve event for subscribers');
      resolved = { result: { errors: [internalError()] }, forbidden: false };
    }
    const readers: ActiveSubscription[] = [];
    for (const sub of subs) {
      if (resolved.forbidden) this.forbid(sub);
      else if (access && entityId !== null && resolved.access && !access.allows(sub.viewer, resolved.access)) this.forbid(sub);
      else readers.push(sub);
    }
    // No access data (the fetch failed): the errors only, never data the rule did not clear.
    let shared = access && entityId !== null && !resolved.access ? { errors: resolved.result.errors ?? [] } : resolved.result;
    let own: ((sub: ActiveSubscription) => ExecutionResult) | undefined;
    const positions = first.likedBatched && shared.data && resolved.entities ? likedPositions(resolved.entities, [first.responseKey]) : [];
    if (positions.length > 0 && this.likes) {
      try {
        likesLookups.inc();
        const liked = await this.likes([...new Set(readers.map((s) => s.viewer.id))], [...new Set(positions.map((p) => p.trackId))]);
        own = (sub) => ({ ...shared, data: withLiked(shared.data, positions, (t) => liked.has(likeKey(sub.viewer.id, t))) as ExecutionResult['data'] });
      } catch (err) {
        this.logger.error({ err, eventId }, 'could not read the likes of subscribers');
        shared = { errors: [internalError()] };
      }
    }
    for (const sub of readers) {
      if (sub.queue.push(own ? own(sub) : shared)) this.delivered += 1;
      else sub.onOverflow();
    }
  }

  private forbid(sub: ActiveSubscription): void {
    sub.queue.push({ errors: [FORBIDDEN()] });
    sub.queue.end();
  }

  private remember(id: string): void {
    this.recent.add(id);
    this.recentOrder.push(id);
    if (this.recentOrder.length > this.dedupeWindow) this.recent.delete(this.recentOrder.shift()!);
  }
}
