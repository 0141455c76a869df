import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createKafka, startConsumer, TOPICS, type Envelope, type RunningConsumer } from '@ytm/events';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { playThresholdBytes } from '../../src/domain/play-tracker.js';
import { rawRequest } from '../support/raw-http.js';
import { startHarness, ticketClaims, ticketUrl, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

let h: Harness;
let consumer: RunningConsumer;
const events: Envelope[] = [];

const USER_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { recentlyPlayed(first: 10) { track { id } playedAt completed } } } }`;
const TRACK_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Track { id playCount } } }`;

beforeAll(async () => {
  h = await startHarness();
  h.addTrack('sixty', 60); // threshold: 30 s = half
  h.addTrack('hundred', 100); // threshold: 30 s = 30 %
  h.addTrack('twenty', 20); // threshold: half = 10 s
  const logger = createLogger({ name: 'plays-test', level: 'silent' });
  consumer = startConsumer({
    kafka: createKafka({ brokers: infraEnv().kafkaBrokers, clientId: 'stream-plays-test', logger }),
    groupId: uniqueName('stream_plays_test'),
    topics: [TOPICS.stream],
    logger,
    fromBeginning: true,
    handle: async (e) => {
      events.push(e);
    },
  });
});
afterAll(async () => {
  await consumer?.stop();
  await h?.close();
});

const range = (url: string, r: string) => rawRequest(url, { headers: { range: r } });

async function recentlyPlayed(user: { userId: string; sessionId: string }) {
  const r = await h.graphql<{ _entities: Array<{ recentlyPlayed: Array<{ track: { id: string }; playedAt: string; completed: boolean }> }> }>(
    USER_QUERY,
    { r: [{ __typename: 'User', id: user.userId }] },
    h.issuer.sign({ ...user, tier: 'PREMIUM' }),
  );
  return r.data?._entities[0]?.recentlyPlayed ?? [];
}

async function playCounts(ids: string[]): Promise<Record<string, number>> {
  const r = await h.graphql<{ _entities: Array<{ id: string; playCount: number }> }>(
    TRACK_QUERY,
    { r: ids.map((id) => ({ __typename: 'Track', id })) },
    h.issuer.sign(),
  );
  return Object.fromEntries((r.data?._entities ?? []).map((t) => [t.id, t.playCount]));
}

describe('plays', () => {
  it('starts at the first byte, counts once at half of a 60 s track, and emits started/completed once', async () => {
    const user = { userId: `u-${randomUUID()}`, sessionId: `s-${randomUUID()}` };
    const t = await h.requestPlayback(h.issuer.sign({ ...user, tier: 'PREMIUM' }), 'sixty');
    const url = ticketUrl(h, t.token);
    const threshold = playThresholdBytes(h.tracks.get('sixty') as never);
    expect(threshold).toBe(Math.ceil((h.tracks.get('sixty')?.size ?? 0) / 2));
    const ticketId = ticketClaims(t.token).jti;
    /** Events stream's outbox relay has published so far, once nothing waits in the outbox. */
    const publishedWhenDrained = async (): Promise<number> => {
      await waitFor(async () => (await h.stream.relay.backlog()) === 0, 10_000, 20, 'the outbox drained');
      return h.stream.relay.published;
    };
    const publishedBefore = await publishedWhenDrained();

    expect((await rawRequest(url, { method: 'HEAD' })).status).toBe(200);
    expect(await recentlyPlayed(user)).toEqual([]); // HEAD serves no audio

    await range(url, 'bytes=0-99999');
    await waitFor(async () => (await recentlyPlayed(user)).length === 1, 3_000);
    expect((await recentlyPlayed(user))[0]).toMatchObject({ track: { id: 'sixty' }, completed: false });

    // The same bytes again (a seek back) do not bring the play closer.
    await range(url, `bytes=0-99999`);
    await range(url, `bytes=100000-${threshold - 2}`);
    // One byte short of half the track: counted, not completed, and only the start was recorded.
    expect(h.stream.plays.progress(ticketId)).toEqual({ covered: threshold - 1, threshold, started: true, completed: false });
    expect((await publishedWhenDrained()) - publishedBefore).toBe(1);
    expect((await recentlyPlayed(user))[0]?.completed).toBe(false);
    expect((await playCounts(['sixty'])).sixty).toBe(0);

    await range(url, `bytes=${threshold - 1}-${threshold + 10}`);
    await waitFor(async () => (await recentlyPlayed(user))[0]?.completed === true, 3_000);
    await range(url, 'bytes=0-');
    expect((await playCounts(['sixty'])).sixty).toBe(1);

    await waitFor(
      () => events.some((e) => e.type === 'stream.play.completed' && (e.data as { ticketId: string }).ticketId === ticketId),
      15_000,
      100,
      'the completed event',
    );
    // Started and completed, each recorded once however often the bytes were asked for.
    expect((await publishedWhenDrained()) - publishedBefore).toBe(2);
    const mine = events.filter((e) => (e.data as { ticketId?: string }).ticketId === ticketId);
    expect(mine.map((e) => e.type).sort()).toEqual(['stream.play.completed', 'stream.play.started']);
    for (const e of mine) {
      expect(e).toMatchObject({ source: 'ytm-stream', subject: 'sixty', data: { __typename: 'Track', id: 'sixty', userId: user.userId, ticketId } });
    }
  }, 30_000);

  it('30 s counts before half on a long track; half counts on a short one', async () => {
    const user = { userId: `u-${randomUUID()}`, sessionId: `s-${randomUUID()}` };
    const access = h.issuer.sign({ ...user, tier: 'PREMIUM' });
    const long = await h.requestPlayback(access, 'hundred');
    const size = h.tracks.get('hundred')?.size ?? 0;
    await range(ticketUrl(h, long.token), `bytes=0-${Math.ceil(size * 0.31)}`);
    const short = await h.requestPlayback(access, 'twenty');
    const shortSize = h.tracks.get('twenty')?.size ?? 0;
    await range(ticketUrl(h, short.token), `bytes=0-${Math.ceil(shortSize * 0.45)}`);
    await waitFor(async () => (await recentlyPlayed(user)).length === 2, 3_000);
    const [newest, older] = await recentlyPlayed(user);
    expect(newest).toMatchObject({ track: { id: 'twenty' }, completed: false });
    expect(older).toMatchObject({ track: { id: 'hundred' }, completed: true });
    await range(ticketUrl(h, short.token), `bytes=${Math.ceil(shortSize * 0.45)}-${Math.ceil(shortSize * 0.51)}`);
    await waitFor(async () => (await recentlyPlayed(user))[0]?.completed === true, 3_000);
  });

  it('Track.playCount sums all users, one lookup per request, answered from the replica’s memory (no store read)', async () => {
    await waitFor(() => h.stream.playCounts.get(['hundred']) !== undefined, 10_000, 50, 'the play count view to load');
    const spy = jest.spyOn(h.stream.playback, 'playCounts');
    const storeReads: string[] = [];
    h.stream.conn.set('debug', (collection: string, method: string) => {
      if (collection === 'play_counts') storeReads.push(method);
    });
    try {
      const counts = await playCounts(['hundred', 'twenty', 'never-played']);
      expect(counts).toEqual({ hundred: 1, twenty: 1, 'never-played': 0 });
    } finally {
      h.stream.conn.set('debug', false);
    }
    expect(spy).toHaveBeenCalledTimes(1);
    expect(storeReads).toEqual([]);
    spy.mockRestore();
  });

  it('recentlyPlayed is self only; first is bounded', async () => {
    const me = { userId: `u-${randomUUID()}`, sessionId: `s-${randomUUID()}` };
    const other = await h.graphql(USER_QUERY, { r: [{ __typename: 'User', id: 'someone-else' }] }, h.issuer.sign(me));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const first of [101, 0, -1]) {
      const bad = await h.graphql(
        `query($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on User { recentlyPlayed(first: $first) { playedAt } } } }`,
        { r: [{ __typename: 'User', id: me.userId }], first },
        h.issuer.sign(me),
      );
      expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });
});
