import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeServer, createClient, fromGrpcError, listen, ResourceClient, status, unaryCall, type Principal } from '@ytm/proto';
import { createAuthenticator } from '@ytm/auth';
import { testIdentity, waitFor } from '@ytm/testing';
import { EventCollector } from './event-collector.js';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

const CREATE = 'mutation($n: String!) { createApiKey(name: $n) { secret apiKey { id name createdAt lastUsedAt } } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) }';
const KEYS = 'query($id: ID!) { user(id: $id) { apiKeys { id name createdAt lastUsedAt } } }';
const MY_KEYS = '{ me { apiKeys { id name lastUsedAt } } }';

let h: Harness;
let alice: TestSession;
let bob: TestSession;
let admin: TestSession;
let client: ResourceClient;
let rogueAddress: string;
const events = new EventCollector();

/** Resource's clock: real time plus an offset a test moves forward instead of waiting. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

beforeAll(async () => {
  h = await startHarness({ overrides: { clock } });
  [alice, bob, admin] = await Promise.all([h.signUp('alice'), h.signUp('bob'), h.signInAdmin()]);
  const port = await listen(h.resource.grpc.server, '127.0.0.1', 0);
  client = createClient(ResourceClient, `127.0.0.1:${port}`, testIdentity('subsonic'));
  rogueAddress = `127.0.0.1:${port}`;
  await events.start();
});
afterAll(async () => {
  client.close();
  await closeServer(h.resource.grpc.server, 100);
  await events.stop();
  await h.close();
});

async function createKey(s: TestSession, name: string): Promise<{ secret: string; id: string }> {
  const r = await h.gql(CREATE, { n: name }, s.accessToken);
  if (!r.data?.createApiKey) throw new Error(JSON.stringify(r.errors));
  return { secret: r.data.createApiKey.secret as string, id: r.data.createApiKey.apiKey.id as string };
}

const authenticate = (secret: string): Promise<Principal> => unaryCall(client.authenticateApiKey.bind(client), { secret }, { deadlineMs: 5_000 });
const verifyPassword = (email: string, password: string, clientAddress = '203.0.113.9'): Promise<Principal> =>
  unaryCall(client.verifyPassword.bind(client), { email, password, clientAddress }, { deadlineMs: 10_000 });
const failureCode = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (err: unknown) => fromGrpcError(err).code,
  );

describe('createApiKey', () => {
  it('shows a secret of at least 128 bits once and stores only its SHA-256 digest', async () => {
    const r = await h.gql(CREATE, { n: '  Symfonium on my phone ' }, alice.accessToken);
    const { secret, apiKey } = r.data?.createApiKey as { secret: string; apiKey: Record<string, unknown> };
    expect(apiKey).toEqual({ id: expect.any(String), name: 'Symfonium on my phone', createdAt: expect.any(String), lastUsedAt: null });
    // ytm_ + 43 base64url characters = 256 random bits.
    expect(secret).toMatch(/^ytm_[A-Za-z0-9_-]{43}$/);
    const docs = await h.resource.conn.collection('api_keys').find({ userId: alice.user.id }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0]!._id).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(docs)).not.toContain(secret.slice(4));
    // Listing never shows the secret again.
    expect(JSON.stringify((await h.gql(MY_KEYS, {}, alice.accessToken)).data)).not.toContain(secret.slice(4));
    expect((await events.waitFor(apiKey.id as string, 'resource.apikey.created')).data).toEqual({ id: apiKey.id, userId: alice.user.id });
  });

  it('rejects empty, too long and control-character names, and anonymous callers', async () => {
    for (const n of ['', '   ', 'x'.repeat(101), 'a\u0007b']) expect(codeOf(await h.gql(CREATE, { n }, bob.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(CREATE, { n: 'ok' }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(MY_KEYS, {}, bob.accessToken)).data?.me.apiKeys).toEqual([]);
  });
});

describe('User.apiKeys', () => {
  it('lists own keys newest first; others (ADMIN too) get FORBIDDEN', async () => {
    const carol = await h.signUp('carol');
    await createKey(carol, 'first');
    clock.offsetMs += 1_000; // the second key is a second younger
    await createKey(carol, 'second');
    const own = (await h.gql(KEYS, { id: carol.user.id }, carol.accessToken)).data?.user.apiKeys as Array<{ name: string }>;
    expect(own.map((k) => k.name)).toEqual(['second', 'first']);
    expect(codeOf(await h.gql(KEYS, { id: carol.user.id }, bob.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(KEYS, { id: carol.user.id }, admin.accessToken))).toBe('FORBIDDEN');
  });
});

describe('AuthenticateApiKey (gRPC, for ytm-subsonic)', () => {
  it('answers the user and an access token acting as them, and records lastUsedAt', async () => {
    const dave = await h.signUp('dave');
    const { secret, id } = await createKey(dave, 'Feishin');
    const p = await authenticate(secret);
    expect(p.user).toMatchObject({ id: dave.user.id, email: dave.user.email, role: 'USER', planTier: 'FREE' });
    expect(p.apiKeyId).toBe(id);
    const edge = createAuthenticator({ JWT_ISSUER: 'ytm-resource', JWT_AUDIENCE: 'ytm' }, { resolveKey: h.resource.keyRing.resolveKey });
    const caller = await edge.authenticate(`Bearer ${p.accessToken}`);
    expect(caller?.viewer).toMatchObject({ id: dave.user.id, sessionId: `apikey:${id}`, role: 'USER' });
    expect(p.accessTokenExpiresAtMs).toBeGreaterThan(Date.now());
    // The token works on the GraphQL API as the key's user.
    expect((await h.gql('{ me { id } }', {}, p.accessToken)).data?.me.id).toBe(dave.user.id);
    const listed = (await h.gql(MY_KEYS, {}, dave.accessToken)).data?.me.apiKeys as Array<{ lastUsedAt: string | null }>;
    expect(Date.now() - Date.parse(listed[0]!.lastUsedAt!)).toBeLessThan(60_000);
  });

  it('refuses unknown, empty and oversized secrets with UNAUTHENTICATED / BAD_USER_INPUT', async () => {
    expect(await failureCode(authenticate('ytm_notARealKeyAtAllxxxxxxxxxxxxxxxxxxxxxxxxxx'))).toBe('UNAUTHENTICATED');
    expect(await failureCode(authenticate('x'.repeat(5_000)))).toBe('UNAUTHENTICATED');
    expect(await failureCode(authenticate(''))).toBe('BAD_USER_INPUT');
  });
});

describe('revokeApiKey', () => {
  it('own keys only (others: NOT_FOUND); a revoked key stops at once, with an event and its playback revoked', async () => {
    const erin = await h.signUp('erin');
    const { secret, id } = await createKey(erin, 'DSub');
    await authenticate(secret);
    expect(codeOf(await h.gql(REVOKE, { id }, bob.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(REVOKE, { id: 'no-such-key' }, erin.accessToken))).toBe('NOT_FOUND');
    expect(await failureCode(authenticate(secret))).toBe('OK');

    expect((await h.gql(REVOKE, { id }, erin.accessToken)).data?.revokeApiKey).toBe(true);
    expect(await failureCode(authenticate(secret))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(REVOKE, { id }, erin.accessToken))).toBe('NOT_FOUND');
    expect((await h.gql(MY_KEYS, {}, erin.accessToken)).data?.me.apiKeys).toEqual([]);
    expect(h.revoked).toContainEqual({ userId: erin.user.id, sessionId: `apikey:${id}` });
    expect((await events.waitFor(id, 'resource.apikey.revoked')).data).toEqual({ id, userId: erin.user.id });
    // The relay deletes the revoked document once its event is out.
    await waitFor(async () => (await h.resource.conn.collection('api_keys').countDocuments({ keyId: id })) === 0, 10_000, 50, 'revoked key deleted');
  });

  it('an ADMIN may revoke any key', async () => {
    const frank = await h.signUp('frank');
    const { secret, id } = await createKey(frank, 'Tempo');
    expect((await h.gql(REVOKE, { id }, admin.accessToken)).data?.revokeApiKey).toBe(true);
    expect(await failureCode(authenticate(secret))).toBe('UNAUTHENTICATED');
  });
});

describe('VerifyPassword (gRPC, legacy Subsonic passwords)', () => {
  it('answers the user for the right password, UNAUTHENTICATED otherwise, RATE_LIMITED after 10 failures', async () => {
    const gina = await h.signUp('gina');
    const p = await verifyPassword(gina.user.email.toUpperCase(), gina.password);
    expect(p.user?.id).toBe(gina.user.id);
    expect(p.apiKeyId).toBe('');
    expect(await failureCode(verifyPassword(gina.user.email, 'wrong password'))).toBe('UNAUTHENTICATED');
    expect(await failureCode(verifyPassword('nobody@ytm.test', 'wrong password'))).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 9; i++) await failureCode(verifyPassword(gina.user.email, `wrong ${i}`));
    const before = h.hasher.verifies;
    expect(await failureCode(verifyPassword(gina.user.email, gina.password))).toBe('RATE_LIMITED');
    expect(h.hasher.verifies).toBe(before);
  });

  it('a password change writes resource.user.password-changed (credential caches forget it)', async () => {
    const hal = await h.signUp('hal');
    const r = await h.gql(
      'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
      { c: hal.password, n: 'another long password' },
      hal.accessToken,
    );
    expect(r.data?.changePassword).toBe(true);
    expect((await events.waitFor(hal.user.id, 'resource.user.password-changed')).data).toEqual({ __typename: 'User', id: hal.user.id });
    expect(await failureCode(verifyPassword(hal.user.email, hal.password))).toBe('UNAUTHENTICATED');
    expect((await verifyPassword(hal.user.email, 'another long password')).user?.id).toBe(hal.user.id);
  });
});

describe('who may ask resource to check credentials', () => {
  it('only subsonic: without credentials UNAUTHENTICATED, as another service PERMISSION_DENIED', async () => {
    const anonymous = createClient(ResourceClient, rogueAddress, { authorizationFor: () => undefined });
    const stream = createClient(ResourceClient, rogueAddress, testIdentity('stream'));
    try {
      const check = (c: ResourceClient) =>
        unaryCall(c.verifyPassword.bind(c), { email: 'a@example.com', password: 'x', clientAddress: '203.0.113.9' }, { deadlineMs: 5_000 });
      await expect(check(anonymous)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(check(stream)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(unaryCall(stream.authenticateApiKey.bind(stream), { secret: 'ytm_x' }, { deadlineMs: 5_000 })).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
      await expect(unaryCall(stream.getUser.bind(stream), { id: alice.user.id }, { deadlineMs: 5_000 })).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    } finally {
      anonymous.close();
      stream.close();
    }
  });
});
