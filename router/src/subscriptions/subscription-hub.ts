import { GraphQLError } from 'graphql';
import type { Envelope } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { ActiveSubscription } from './active-subscription.js';
import { resolveEvent, type EntityFetcher } from './event-resolver.js';

/**
 * Fans Kafka events out to subscribers. Subscribers with the same operation, variables and user
 * share one resolution per event; each has its own bounded queue, so a slow client only ever
 * affects itself.
 */
export class SubscriptionHub {
  private readonly subs = new Set<ActiveSubscription>();
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  delivered = 0;

  constructor(
    private readonly fetchEntities: EntityFetcher,
    private readonly logger: Logger,
    private readonly dedupeWindow = 10_000,
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
    await Promise.all(
      [...groups.values()].map(async ({ subs, payload, entityId }) => {
        const first = subs[0]!;
        let resolved;
        try {
          resolved = await resolveEvent(first, payload, entityId, this.fetchEntities);
        } catch (err) {
          this.logger.error({ err, eventId: event.id }, 'could not resolve event for subscribers');
          resolved = { result: { errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] }, forbidden: false };
        }
        for (const sub of subs) {
          if (resolved.forbidden) {
            sub.queue.push({ errors: [new GraphQLError('You may no longer read this', { extensions: { code: 'FORBIDDEN' } })] });
            sub.queue.end();
            continue;
          }
          if (sub.queue.push(resolved.result)) this.delivered += 1;
          else sub.onOverflow();
        }
      }),
    );
  }

  private remember(id: string): void {
    this.recent.add(id);
    this.recentOrder.push(id);
    if (this.recentOrder.length > this.dedupeWindow) this.recent.delete(this.recentOrder.shift()!);
  }
}
