// Users as GraphQL shows them (`me`, `User`) are held in memory between reads: fresh after a change
// made here, and after another replica's change as soon as its event arrives.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { TOPICS } from '@ytm/events';
import { EventCollector } from './event-collector.js';
import { startHarness, type Harness, type TestSession } from './harness.js';

const ME = '{ me { id displayName role plan { tier } } }';

let h: Harness;
let admin: TestSession;

beforeAll(async () => {
  // Far longer than any wait below: what is seen within it is the event's doing, not the age limit.
  h = await startHarness({ env: { USER_CACHE_MAX_AGE_MS: '600000' } });
  admin = await h.signInAdmin();
  await waitFor(() => h.resource.consumerJoined(), 30_000, 100, 'resource consumers joined');
});
afterAll(async () => {
  await h.close();
});

async function me(token: string): Promise<{ id: string; displayName: string; role: string; plan: { tier: string } }> {
  const r = await h.gql(ME, {}, token);
  expect(r.errors).toBeUndefined();
  return r.data!.me;
}

/** Writes a user's document directly, as another replica (or an operator) would: this replica is not told. */
async function writeBehindItsBack(userId: string, displayName: string): Promise<void> {
  await h.resource.conn.collection('users').updateOne({ _id: userId as never }, { $set: { displayName } });
}

describe('users held between reads', () => {
  it('holds a user between reads of me (a change nobody announced is not seen)', async () => {
    const s = await h.signUp('held');
    expect((await me(s.accessToken)).displayName).toBe(s.user.displayName);
    await writeBehindItsBack(s.user.id, 'Unannounced');
    expect((await me(s.accessToken)).displayName).toBe(s.user.displayName);
  });

  it('a rename and a plan change made here show at the next read', async () => {
    const s = await h.signUp('renamed');
    await me(s.accessToken);
    const renamed = await h.gql('mutation { updateProfile(displayName: "Renamed Here") { displayName } }', {}, s.accessToken);
    expect(renamed.data?.updateProfile.displayName).toBe('Renamed Here');
    expect((await me(s.accessToken)).displayName).toBe('Renamed Here');
    const plan = await h.gql('mutation($u: ID!) { setUserPlan(userId: $u, tier: PREMIUM) { id } }', { u: s.user.id }, admin.accessToken);
    expect(plan.errors).toBeUndefined();
    expect((await me(s.accessToken)).plan.tier).toBe('PREMIUM');
  });

  it('a change another replica made is seen once its announcement arrives', async () => {
    const s = await h.signUp('elsewhere');
    await me(s.accessToken);
    await writeBehindItsBack(s.user.id, 'Renamed Elsewhere');
    expect((await me(s.accessToken)).displayName).toBe(s.user.displayName);
    await h.announceUserChange(s.user.id);
    await waitFor(async () => (await me(s.accessToken)).displayName === 'Renamed Elsewhere', 10_000, 50, 'the announcement reached the cache');
  });

  it('every write of a user here is announced to the other replicas', async () => {
    const s = await h.signUp('announced');
    const heard = new EventCollector();
    await heard.start(TOPICS.userChanges);
    try {
      const heardOf = () => heard.of(s.user.id).filter((e) => e.type === 'resource.user.changed').length;
      // Writes of one user close together share one announcement: each write waits for the last one's.
      await h.gql('mutation { updateProfile(displayName: "Announced") { id } }', {}, s.accessToken);
      await waitFor(() => heardOf() === 1, 10_000, 50, 'the rename announced');
      await h.gql('mutation($u: ID!) { setUserPlan(userId: $u, tier: PREMIUM) { id } }', { u: s.user.id }, admin.accessToken);
      await waitFor(() => heardOf() === 2, 10_000, 50, 'the plan change announced');
    } finally {
      await heard.stop();
    }
  });

  it('a user read by reference (the User entity) is the same held user', async () => {
    const s = await h.signUp('entity');
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }';
    const first = await h.gql(query, { r: [{ __typename: 'User', id: s.user.id }] }, s.accessToken);
    expect(first.data?._entities).toEqual([{ id: s.user.id, displayName: s.user.displayName }]);
    await writeBehindItsBack(s.user.id, 'Unannounced Entity');
    const held = await h.gql(query, { r: [{ __typename: 'User', id: s.user.id }] }, s.accessToken);
    expect(held.data?._entities).toEqual([{ id: s.user.id, displayName: s.user.displayName }]);
    await h.announceUserChange(s.user.id);
    await waitFor(
      async () => (await h.gql(query, { r: [{ __typename: 'User', id: s.user.id }] }, s.accessToken)).data?._entities[0]?.displayName === 'Unannounced Entity',
      10_000,
      50,
      'entity read again after the event',
    );
  });
});
