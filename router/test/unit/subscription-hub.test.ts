import { describe, expect, it } from '@jest/globals';
import { buildSchema, Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { createLogger } from '@ytm/logger';
import type { ActiveSubscription } from '../../src/subscriptions/active-subscription.js';
import { BoundedQueue } from '../../src/subscriptions/bounded-queue.js';
import { buildEntityQuery } from '../../src/subscriptions/entity-query.js';
import type { EntityFetcher } from '../../src/subscriptions/event-resolver.js';
import { SubscriptionHub } from '../../src/subscriptions/subscription-hub.js';
import { SUBSCRIPTION_FIELDS } from '../../src/subscriptions/subscription-fields.js';
import { likeKey } from '../../src/subscriptions/likes-client.js';
import { markViewerFields } from '../../src/subscriptions/viewer-fields.js';

const schema = buildSchema(`
  type Query { track(id: ID!): Track }
  type Track { id: ID! title: String! liked: Boolean! }
  enum LibraryChangeKind { ADDED UPDATED REMOVED }
  type LibraryChange { kind: LibraryChangeKind! trackId: ID! track: Track }
  type Subscription { libraryChanged: LibraryChange! }
`);
const QUERY = 'subscription { changed: libraryChanged { kind track { t: title liked } } }';

function subscriber(userId: string, queueLimit = 10, onOverflow: () => void = () => undefined): ActiveSubscription {
  const document = parse(QUERY);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const rootField = operation.selectionSet.selections[0] as FieldNode;
  const field = SUBSCRIPTION_FIELDS.libraryChanged!;
  return {
    id: userId,
    viewer: { id: userId, sessionId: 's', role: 'USER', plan: { tier: 'FREE', expiresAt: null } },
    authorization: `Bearer token-${userId}`,
    fieldName: 'libraryChanged',
    responseKey: 'changed',
    field,
    args: {},
    schema,
    document,
    operation,
    rootField,
    variables: {},
    entityQuery: buildEntityQuery(document, operation, rootField, field.entity!, { probeWhenUnselected: false }),
    shareKey: `${userId}\n${QUERY}`,
    sharedAcrossUsers: false,
    likedBatched: false,
    queue: new BoundedQueue(queueLimit),
    onOverflow,
  };
}

const event = (id: string, type = 'library.track.added', trackId = 't1') => ({
  specversion: '1.0' as const,
  id,
  type: type as never,
  source: 'test',
  time: new Date().toISOString(),
  subject: trackId,
  data: { __typename: 'Track', id: trackId } as never,
});

describe('SubscriptionHub', () => {
  it('shares one entity fetch per user, shapes aliases, and ignores redelivered events', async () => {
    const calls: string[] = [];
    const fetcher: EntityFetcher = async (query, variables, who) => {
      calls.push(who.authorization);
      expect(query.definitions[0]!.kind).toBe(Kind.OPERATION_DEFINITION);
      expect(variables.__ytmEntityId).toBe('t1');
      return { data: { track: { t: 'Song', liked: who.authorization === 'Bearer token-ann' } } };
    };
    const hub = new SubscriptionHub(fetcher, createLogger({ name: 't', level: 'silent' }));
    const ann1 = subscriber('ann');
    const ann2 = subscriber('ann');
    const bob = subscriber('bob');
    for (const s of [ann1, ann2, bob]) hub.add(s);
    await hub.dispatch('ytm.library.events', event('e1'));
    await hub.dispatch('ytm.library.events', event('e1'));
    expect(calls.sort()).toEqual(['Bearer token-ann', 'Bearer token-bob']);
    const first = async (s: ActiveSubscription) => (await s.queue.next()).value;
    expect(await first(ann1)).toEqual({ data: { changed: { kind: 'ADDED', track: { t: 'Song', liked: true } } } });
    expect(await first(ann2)).toEqual({ data: { changed: { kind: 'ADDED', track: { t: 'Song', liked: true } } } });
    expect(await first(bob)).toEqual({ data: { changed: { kind: 'ADDED', track: { t: 'Song', liked: false } } } });
    expect(ann1.queue.size).toBe(0);
  });

  it('REMOVED needs no fetch; a full queue reports overflow without blocking others', async () => {
    let overflowed = 0;
    const hub = new SubscriptionHub(
      async () => {
        throw new Error('no fetch expected');
      },
      createLogger({ name: 't', level: 'silent' }),
    );
    const slow = subscriber('slow', 1, () => overflowed++);
    const fast = subscriber('fast', 10);
    hub.add(slow);
    hub.add(fast);
    await hub.dispatch('ytm.library.events', event('r1', 'library.track.removed'));
    await hub.dispatch('ytm.library.events', event('r2', 'library.track.removed'));
    expect(overflowed).toBe(1);
    expect(fast.queue.size).toBe(2);
    expect((await fast.queue.next()).value).toEqual({ data: { changed: { kind: 'REMOVED', track: null } } });
  });

  it('with a likes lookup: one fetch and one lookup for every user, each subscriber gets their own liked', async () => {
    const fetched: string[] = [];
    const looked: Array<[readonly string[], readonly string[]]> = [];
    const hub = new SubscriptionHub(
      async (query, _variables, who) => {
        fetched.push(who.authorization);
        expect(JSON.stringify(query)).not.toContain('"liked"');
        return { data: { track: { t: 'Song', __ytmLiked_liked: 't1' } } };
      },
      createLogger({ name: 't', level: 'silent' }),
      10_000,
      async (users, tracks) => {
        looked.push([users, tracks]);
        return new Set([likeKey('ann', 't1')]);
      },
    );
    const shared = (userId: string) => {
      const s = subscriber(userId);
      return { ...s, entityQuery: markViewerFields(schema, s.entityQuery!).document, likedBatched: true, sharedAcrossUsers: true, shareKey: `*\n${QUERY}` };
    };
    const [ann, bob, cid] = [shared('ann'), shared('bob'), shared('cid')];
    for (const s of [ann, bob, cid]) hub.add(s);
    await hub.dispatch('ytm.library.events', event('e1'));
    expect(fetched).toHaveLength(1);
    expect(looked).toEqual([[['ann', 'bob', 'cid'], ['t1']]]);
    const liked = async (s: ActiveSubscription) => ((await s.queue.next()).value as { data: { changed: { track: { liked: boolean } } } }).data.changed.track;
    expect(await liked(ann)).toEqual({ t: 'Song', liked: true });
    expect(await liked(bob)).toEqual({ t: 'Song', liked: false });
    expect(await liked(cid)).toEqual({ t: 'Song', liked: false });
  });

  it('resolves events arriving meanwhile as one burst: fetches side by side, one likes lookup, every event delivered in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const looked: Array<readonly string[]> = [];
    const hub = new SubscriptionHub(
      async (_query, variables) => {
        await gate;
        return { data: { track: { t: `Song ${String(variables.__ytmEntityId)}`, __ytmLiked_liked: variables.__ytmEntityId } } };
      },
      createLogger({ name: 't', level: 'silent' }),
      10_000,
      async (users, tracks) => {
        looked.push(tracks);
        return new Set([likeKey('ann', 't2'), likeKey('bob', 't1'), likeKey('bob', 't3')]);
      },
    );
    const shared = (userId: string) => {
      const s = subscriber(userId, 10);
      return { ...s, entityQuery: markViewerFields(schema, s.entityQuery!).document, likedBatched: true, sharedAcrossUsers: true, shareKey: `*\n${QUERY}` };
    };
    const [ann, bob] = [shared('ann'), shared('bob')];
    hub.add(ann);
    hub.add(bob);
    const done = ['t1', 't2', 't3', 't4'].map((t, i) => hub.dispatch('ytm.library.events', event(`b${i}`, 'library.track.updated', t)));
    release();
    await Promise.all(done);
    // The first event started alone; the three that arrived while it was resolved went together.
    expect(looked).toEqual([['t1'], ['t2', 't3', 't4']]);
    const got = async (s: ActiveSubscription) => {
      const out = [];
      for (let i = 0; i < 4; i++)
        out.push(((await s.queue.next()).value as { data: { changed: { track: { t: string; liked: boolean } } } }).data.changed.track);
      return out;
    };
    expect(await got(ann)).toEqual([
      { t: 'Song t1', liked: false },
      { t: 'Song t2', liked: true },
      { t: 'Song t3', liked: false },
      { t: 'Song t4', liked: false },
    ]);
    expect((await got(bob)).map((x) => x.liked)).toEqual([true, false, true, false]);
    expect(hub.fetches).toBe(4);
  });
});
