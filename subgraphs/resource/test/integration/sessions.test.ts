import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventCollector } from './event-collector.js';
import { codeOf, startHarness, type Harness } from './harness.js';

const REFRESH = 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id } } }';
const SIGN_IN = 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken refreshToken user { id } } }';
const CHANGE = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
const ME = '{ me { id displayName email } }';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('refreshSession', () => {
  it('rotates the refresh token; reusing a spent one revokes the whole session', async () => {
    const s = await h.signUp('rotate');
    const first = await h.gql(REFRESH, { t: s.refreshToken });
    const next = first.data?.refreshSession as { refreshToken: string; accessToken: string };
    expect(next.refreshToken).not.toBe(s.refreshToken);
    expect(codeOf(await h.gql(REFRESH, { t: s.refreshToken }))).toBe('UNAUTHENTICATED');
    // The reuse revoked the family: the token issued by the rotation is dead too.
    expect(codeOf(await h.gql(REFRESH, { t: next.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(h.revoked.some((r) => r.userId === s.user.id)).toBe(true);
  });

  it('lets exactly one of ten parallel refreshes with the same token win', async () => {
    const s = await h.signUp('race');
    const results = await Promise.all(Array.from({ length: 10 }, () => h.gql(REFRESH, { t: s.refreshToken })));
    expect(results.filter((r) => r.data?.refreshSession)).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'UNAUTHENTICATED')).toHaveLength(9);
  });

  it('rejects unknown, empty and oversized refresh tokens alike', async () => {
    for (const t of ['rt_unknown', '', 'x'.repeat(10_000)]) expect(codeOf(await h.gql(REFRESH, { t }))).toBe('UNAUTHENTICATED');
  });
});

describe('signOut', () => {
  it('revokes the refresh token and asks stream over gRPC to revoke the session tickets', async () => {
    const s = await h.signUp('bye');
    const claims = JSON.parse(Buffer.from(s.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string };
    expect((await h.gql('mutation { signOut }', {}, s.accessToken)).data?.signOut).toBe(true);
    expect(h.revoked).toContainEqual({ userId: s.user.id, sessionId: claims.sid });
    expect(codeOf(await h.gql(REFRESH, { t: s.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql('mutation { signOut }'))).toBe('UNAUTHENTICATED');
  });

  it('REST /auth/signout answers 204, and 401 without a token', async () => {
    const s = await h.signUp('restbye');
    const ok = await fetch(`${h.url}/auth/signout`, { method: 'POST', headers: { authorization: `Bearer ${s.accessToken}` } });
    expect(ok.status).toBe(204);
    expect((await fetch(`${h.url}/auth/signout`, { method: 'POST' })).status).toBe(401);
  });
});

describe('changePassword', () => {
  it('needs the current password and revokes every other session, keeping this one', async () => {
    const s = await h.signUp('chpw', 'first password 1');
    const other = (await h.gql(SIGN_IN, { e: s.user.email, p: 'first password 1' })).data?.signIn as { refreshToken: string; accessToken: string };
    const otherSid = (JSON.parse(Buffer.from(other.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

    const wrong = await h.gql(CHANGE, { c: 'not my password', n: 'second password 2' }, s.accessToken);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const short = await h.gql(CHANGE, { c: 'first password 1', n: 'short' }, s.accessToken);
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect(codeOf(await h.gql(CHANGE, { c: 'first password 1', n: 'second password 2' }))).toBe('UNAUTHENTICATED');

    expect((await h.gql(CHANGE, { c: 'first password 1', n: 'second password 2' }, s.accessToken)).data?.changePassword).toBe(true);
    expect(codeOf(await h.gql(REFRESH, { t: other.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(h.revoked).toContainEqual({ userId: s.user.id, sessionId: otherSid });
    expect((await h.gql(REFRESH, { t: s.refreshToken })).data?.refreshSession).toBeTruthy();
    expect(codeOf(await h.gql(SIGN_IN, { e: s.user.email, p: 'first password 1' }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(SIGN_IN, { e: s.user.email, p: 'second password 2' })).data?.signIn).toBeTruthy();
  });
});

describe('updateProfile', () => {
  const UPDATE = 'mutation($n: String!) { updateProfile(displayName: $n) { id displayName } }';

  it('trims and stores 1 to 100 characters', async () => {
    const s = await h.signUp('profile');
    expect((await h.gql(UPDATE, { n: '  New Name  ' }, s.accessToken)).data?.updateProfile).toEqual({ id: s.user.id, displayName: 'New Name' });
    expect((await h.gql(ME, {}, s.accessToken)).data?.me.displayName).toBe('New Name');
    const hundred = 'é'.repeat(100);
    expect((await h.gql(UPDATE, { n: hundred }, s.accessToken)).data?.updateProfile.displayName).toBe(hundred);
  });

  it.each([
    ['empty', ''],
    ['blank', '   \t '],
    ['101 characters', 'x'.repeat(101)],
    ['a control character', 'bad\u0007name'],
  ])('rejects %s', async (_, n) => {
    const s = await h.signUp('badprofile');
    const r = await h.gql(UPDATE, { n }, s.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'displayName' });
    expect((await h.gql(ME, {}, s.accessToken)).data?.me.displayName).toBe(s.user.displayName);
  });

  it('needs a signed-in user', async () => {
    expect(codeOf(await h.gql(UPDATE, { n: 'Anyone' }))).toBe('UNAUTHENTICATED');
  });
});

describe('User.email', () => {
  it('is visible to the user and ADMIN only, FORBIDDEN to others', async () => {
    const a = await h.signUp('owner');
    const b = await h.signUp('peer');
    const admin = await h.signInAdmin();
    const q = 'query($id: ID!) { user(id: $id) { id displayName email } }';
    expect((await h.gql(q, { id: a.user.id }, a.accessToken)).data?.user.email).toBe(a.user.email);
    expect((await h.gql(q, { id: a.user.id }, admin.accessToken)).data?.user.email).toBe(a.user.email);
    const denied = await h.gql(q, { id: a.user.id }, b.accessToken);
    expect(codeOf(denied)).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(q, { id: a.user.id }))).toBe('UNAUTHENTICATED');
  });
});

describe('signing-key rotation', () => {
  it('publishes the new key before it signs; tokens of the old key verify until they expire', async () => {
    const s = await h.signUp('keys');
    const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const jwks = async () =>
      ((await (await fetch(`${h.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; kty: string; alg: string }> }).keys;
    const oldKid = kidOf(s.accessToken);

    const pending = await h.resource.keyRing.rotate(60_000);
    const listed = (await jwks()).map((k) => k.kid);
    expect(listed).toEqual(expect.arrayContaining([oldKid, pending.kid]));
    expect((await jwks()).every((k) => k.alg === 'ES256' && k.kty === 'EC' && !('d' in k))).toBe(true);
    // Still signing with the old key until the new one activates.
    const during = (await h.gql(REFRESH, { t: s.refreshToken })).data?.refreshSession as { accessToken: string; refreshToken: string };
    expect(kidOf(during.accessToken)).toBe(oldKid);

    const now = await h.resource.keyRing.rotate(0);
    const after = (await h.gql(REFRESH, { t: during.refreshToken })).data?.refreshSession as { accessToken: string };
    expect(kidOf(after.accessToken)).toBe(now.kid);
    expect((await jwks()).map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, now.kid]));
    // A token signed by the retired key still works.
    expect((await h.gql(ME, {}, s.accessToken)).data?.me.id).toBe(s.user.id);
    expect((await h.gql(ME, {}, after.accessToken)).data?.me.id).toBe(s.user.id);
  });
});

describe('user registered event', () => {
  it('is published through the outbox to Kafka', async () => {
    const events = new EventCollector();
    await events.start();
    try {
      const s = await h.signUp('event');
      const e = await events.waitFor(s.user.id, 'resource.user.registered');
      expect(e).toMatchObject({ source: 'ytm-resource', data: { __typename: 'User', id: s.user.id, role: 'USER' } });
      expect(JSON.stringify(e)).not.toContain(s.user.email);
    } finally {
      await events.stop();
    }
  });
});

describe('session housekeeping', () => {
  it('deletes a signed-out session once its access tokens expired, keeps live ones working', async () => {
    const gone = await h.signUp('pruned');
    const kept = await h.signUp('kept');
    const sid = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    expect((await h.gql('mutation { signOut }', {}, gone.accessToken)).data?.signOut).toBe(true);
    const db = h.resource.conn;
    expect(await db.collection('session_revocations').countDocuments({ _id: sid(gone.accessToken) as never })).toBe(1);
    // The pass after the access-token lifetime (15 minutes by default) ran out.
    await h.resource.housekeeping.pruneAndLog(new Date(Date.now() + 16 * 60_000));
    expect(await db.collection('sessions').countDocuments({ _id: sid(gone.accessToken) as never })).toBe(0);
    expect(await db.collection('session_revocations').countDocuments({ _id: sid(gone.accessToken) as never })).toBe(0);
    expect(await db.collection('sessions').countDocuments({ _id: sid(kept.accessToken) as never })).toBe(1);
    expect(codeOf(await h.gql(REFRESH, { t: gone.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(REFRESH, { t: kept.refreshToken })).data?.refreshSession).toBeTruthy();
  });
});
