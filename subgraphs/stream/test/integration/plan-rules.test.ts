import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { rawRequest } from '../support/raw-http.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

let h: Harness;
const QUOTA_QUERY =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { playbackQuota { tier playsToday dailyLimit maxConcurrentStreams } } } }';

beforeAll(async () => {
  // A small daily limit keeps the test short; the table's shape is the production one.
  h = await startHarness({
    PLAN_RULES: JSON.stringify({ FREE: { dailyLimit: 3, maxConcurrentStreams: 1 }, PREMIUM: { dailyLimit: null, maxConcurrentStreams: 3 } }),
  });
  h.addTrack('song', 3);
});
afterAll(() => h?.close());

const user = (tier: 'FREE' | 'PREMIUM') => ({ userId: `u-${randomUUID()}`, sessionId: `s-${randomUUID()}`, tier });
const status = async (token: string) => (await rawRequest(ticketUrl(h, token), { headers: { range: 'bytes=0-0' } })).status;

async function quota(token: string, userId: string) {
  const r = await h.graphql<{ _entities: Array<{ playbackQuota: unknown }> }>(QUOTA_QUERY, { r: [{ __typename: 'User', id: userId }] }, token);
  return r;
}

describe('plan rules', () => {
  it('FREE: the daily limit, then QUOTA_EXCEEDED with a clear message; the quota reports it', async () => {
    const u = user('FREE');
    const access = h.issuer.sign(u);
    for (let i = 0; i < 3; i++) await h.requestPlayback(access, 'song');
    const err = await h.requestPlayback(access, 'song').catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect((err as Error).message).toMatch(/FREE plan allows 3 plays a day.*00:00 UTC/);
    expect((await quota(access, u.userId)).data?._entities[0]?.playbackQuota).toEqual({ tier: 'FREE', playsToday: 3, dailyLimit: 3, maxConcurrentStreams: 1 });
  });

  it('an unknown track costs no quota', async () => {
    const u = user('FREE');
    const access = h.issuer.sign(u);
    await expect(h.requestPlayback(access, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await quota(access, u.userId)).data?._entities[0]?.playbackQuota).toMatchObject({ playsToday: 0 });
  });

  it('the daily limit holds under concurrent requests (atomic in the database)', async () => {
    const access = h.issuer.sign(user('FREE'));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => h.requestPlayback(access, 'song')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'QUOTA_EXCEEDED' });
  });

  it('FREE: one concurrent stream; a new ticket revokes the older one (playback moves)', async () => {
    const u = user('FREE');
    const first = await h.requestPlayback(h.issuer.sign(u), 'song');
    expect(await status(first.token)).toBe(206);
    const second = await h.requestPlayback(h.issuer.sign({ ...u, sessionId: `other-${randomUUID()}` }), 'song');
    expect(await status(first.token)).toBe(403);
    expect(await status(second.token)).toBe(206);
  });

  it('PREMIUM: unlimited, three concurrent streams; the fourth revokes the oldest', async () => {
    const u = user('PREMIUM');
    const access = h.issuer.sign(u);
    const tickets = [];
    for (let i = 0; i < 6; i++) tickets.push(await h.requestPlayback(access, 'song'));
    expect(await Promise.all(tickets.map((t) => status(t.token)))).toEqual([403, 403, 403, 206, 206, 206]);
    expect((await quota(access, u.userId)).data?._entities[0]?.playbackQuota).toEqual({
      tier: 'PREMIUM',
      playsToday: 6,
      dailyLimit: null,
      maxConcurrentStreams: 3,
    });
  });

  it('concurrent requests never leave more than the allowed tickets open', async () => {
    const u = user('PREMIUM');
    const access = h.issuer.sign(u);
    const tickets = await Promise.all(Array.from({ length: 8 }, () => h.requestPlayback(access, 'song')));
    const statuses = await Promise.all(tickets.map((t) => status(t.token)));
    expect(statuses.filter((s) => s === 206)).toHaveLength(3);
  });

  it("playbackQuota is self only: another user's is FORBIDDEN", async () => {
    const r = await quota(h.issuer.sign(user('FREE')), 'someone-else');
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the default plan table', () => {
  let d: Harness;
  beforeAll(async () => {
    d = await startHarness();
  });
  afterAll(() => d?.close());

  it('FREE: 50 a day, 1 concurrent; PREMIUM: unlimited, 3 concurrent', async () => {
    for (const [tier, expected] of [
      ['FREE', { tier: 'FREE', playsToday: 0, dailyLimit: 50, maxConcurrentStreams: 1 }],
      ['PREMIUM', { tier: 'PREMIUM', playsToday: 0, dailyLimit: null, maxConcurrentStreams: 3 }],
    ] as const) {
      const u = user(tier);
      const r = await d.graphql<{ _entities: Array<{ playbackQuota: unknown }> }>(QUOTA_QUERY, { r: [{ __typename: 'User', id: u.userId }] }, d.issuer.sign(u));
      expect(r.data?._entities[0]?.playbackQuota).toEqual(expected);
    }
  });

  it('an expired PREMIUM plan counts as FREE', async () => {
    const u = { ...user('PREMIUM'), planExpiresAt: new Date(Date.now() - 1000) };
    const r = await d.graphql<{ _entities: Array<{ playbackQuota: { tier: string } }> }>(
      QUOTA_QUERY,
      { r: [{ __typename: 'User', id: u.userId }] },
      d.issuer.sign(u),
    );
    expect(r.data?._entities[0]?.playbackQuota.tier).toBe('FREE');
  });
});
