import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventCollector } from './event-collector.js';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

const SET_PLAN = 'mutation($u: ID!, $t: PlanTier!, $e: DateTime) { setUserPlan(userId: $u, tier: $t, expiresAt: $e) { id plan { tier expiresAt } } }';
const REFRESH = 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }';
const ME_PLAN = '{ me { plan { tier expiresAt } } }';

let h: Harness;
let admin: TestSession;
const events = new EventCollector();
/** Resource's clock: real time plus an offset a test moves forward instead of waiting. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

beforeAll(async () => {
  h = await startHarness({ overrides: { clock } });
  admin = await h.signInAdmin();
  await events.start();
});
afterAll(async () => {
  await events.stop();
  await h.close();
});

function planClaim(accessToken: string): { tier: string; exp: number | null } {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { plan: { tier: string; exp: number | null } }).plan;
}

describe('setUserPlan', () => {
  it('is ADMIN only', async () => {
    const user = await h.signUp('planuser');
    const other = await h.signUp('planother');
    expect(codeOf(await h.gql(SET_PLAN, { u: user.user.id, t: 'PREMIUM' }, user.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(SET_PLAN, { u: user.user.id, t: 'PREMIUM' }, other.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(SET_PLAN, { u: user.user.id, t: 'PREMIUM' }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(ME_PLAN, {}, user.accessToken)).data?.me.plan).toEqual({ tier: 'FREE', expiresAt: null });
  });

  it('puts the plan into the next access token and publishes resource.user.plan-changed', async () => {
    const user = await h.signUp('upgrade');
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const r = await h.gql(SET_PLAN, { u: user.user.id, t: 'PREMIUM', e: expiresAt.toISOString() }, admin.accessToken);
    expect(r.data?.setUserPlan).toEqual({ id: user.user.id, plan: { tier: 'PREMIUM', expiresAt: expiresAt.toISOString() } });
    expect(planClaim(user.accessToken).tier).toBe('FREE');
    const refreshed = (await h.gql(REFRESH, { t: user.refreshToken })).data?.refreshSession as { accessToken: string };
    expect(planClaim(refreshed.accessToken)).toEqual({ tier: 'PREMIUM', exp: Math.floor(expiresAt.getTime() / 1000) });
    const e = await events.waitFor(user.user.id, 'resource.user.plan-changed');
    expect(e.data).toEqual({ __typename: 'User', id: user.user.id, tier: 'PREMIUM', expiresAt: expiresAt.toISOString(), previousTier: 'FREE' });
    expect(h.revoked.filter((x) => x.userId === user.user.id)).toHaveLength(0);
  });

  it('asks stream to revoke every open ticket on a downgrade', async () => {
    const user = await h.signUp('downgrade');
    await h.gql(SET_PLAN, { u: user.user.id, t: 'PREMIUM' }, admin.accessToken);
    expect((await h.gql(SET_PLAN, { u: user.user.id, t: 'FREE' }, admin.accessToken)).data?.setUserPlan.plan).toEqual({ tier: 'FREE', expiresAt: null });
    expect(h.revoked).toContainEqual({ userId: user.user.id });
    await events.waitFor(user.user.id, 'resource.user.plan-changed', (e) => (e.data as { previousTier: string }).previousTier === 'PREMIUM');
  });

  it('counts an expired PREMIUM plan as FREE, in the API and in the next token; re-setting FREE is no downgrade', async () => {
    const user = await h.signUp('expiring');
    await h.gql(SET_PLAN, { u: user.user.id, t: 'PREMIUM', e: new Date(clock.now().getTime() + 60_000).toISOString() }, admin.accessToken);
    expect((await h.gql(ME_PLAN, {}, user.accessToken)).data?.me.plan.tier).toBe('PREMIUM');
    clock.offsetMs += 61_000; // past the plan's expiry
    expect((await h.gql(ME_PLAN, {}, user.accessToken)).data?.me.plan).toEqual({ tier: 'FREE', expiresAt: null });
    const refreshed = (await h.gql(REFRESH, { t: user.refreshToken })).data?.refreshSession as { accessToken: string };
    expect(planClaim(refreshed.accessToken).tier).toBe('FREE');
    await h.gql(SET_PLAN, { u: user.user.id, t: 'FREE' }, admin.accessToken);
    expect(h.revoked.filter((x) => x.userId === user.user.id)).toHaveLength(0);
  });

  it.each([
    ['an expiry in the past', { t: 'PREMIUM', e: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry on a FREE plan', { t: 'FREE', e: '2999-01-01T00:00:00Z' }, 'expiresAt'],
  ])('rejects %s', async (_, vars, field) => {
    const user = await h.signUp('badplan');
    const r = await h.gql(SET_PLAN, { u: user.user.id, ...vars }, admin.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await h.gql(ME_PLAN, {}, user.accessToken)).data?.me.plan.tier).toBe('FREE');
  });

  it('rejects malformed IDs and dates, and answers NOT_FOUND for an unknown user', async () => {
    expect(codeOf(await h.gql(SET_PLAN, { u: 'not-a-uuid', t: 'PREMIUM' }, admin.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(SET_PLAN, { u: randomUUID(), t: 'PREMIUM' }, admin.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(SET_PLAN, { u: randomUUID(), t: 'PREMIUM', e: 'tomorrow' }, admin.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(SET_PLAN, { u: randomUUID(), t: 'GOLD' }, admin.accessToken))).toBe('BAD_USER_INPUT');
  });
});
