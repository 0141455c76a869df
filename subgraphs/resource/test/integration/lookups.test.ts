import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName } from '@ytm/testing';
import { EmailTakenError } from '../../src/domain/ports.js';
import { MongoApiKeyRepository } from '../../src/persistence/api-key.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';
import { MongoRemovedTrackRepository } from '../../src/persistence/removed-track.repository.js';
import { sessionModel } from '../../src/persistence/session.model.js';
import { MongoSessionRepository } from '../../src/persistence/session.repository.js';
import { STALE_CLAIM_MS } from '../../src/persistence/user-email.lookup.js';
import { userModel } from '../../src/persistence/user.model.js';
import { MongoUserRepository } from '../../src/persistence/user.repository.js';

// The credential reads on the request path are reads by `_id` (the one filter FerretDB 1.x serves
// from an index), through lookup documents that stay right without atomic updates.
let conn: Connection;
let monitored: Connection;
let filters: Array<Record<string, unknown>>;
const logger = createLogger({ name: 'lookups', level: 'silent' });

beforeAll(async () => {
  const dbName = uniqueName('resource_lookups');
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false }).asPromise();
  monitored = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
  filters = [];
  monitored.getClient().on('commandStarted', (e) => {
    const c = e.command as { find?: string; filter?: Record<string, unknown> };
    if (e.commandName === 'find') filters.push({ collection: c.find, ...c.filter });
  });
  await userModel(conn).init();
});
afterAll(async () => {
  await monitored.close();
  await conn.db?.dropDatabase();
  await conn.close();
});

const user = (email: string) => ({
  email,
  displayName: 'Listener',
  passwordHash: 'h',
  role: 'USER' as const,
  plan: { tier: 'FREE' as const, expiresAt: null },
});
/** Every find a call sent, which must all be `{ _id: <string> }` and nothing else. */
async function findsOf(call: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  filters.length = 0;
  await call();
  return filters.map((f) => ({ ...f }));
}
const apiKeys = (c: Connection) =>
  new MongoApiKeyRepository(c.collection('api_keys'), c.collection(READ_MODELS), new ReadModelIntents(c.collection(READ_MODEL_INTENTS)));
const byIdOnly = (f: Record<string, unknown>) => Object.keys(f).sort().join() === '_id,collection' && typeof f._id === 'string';

it('signs in by email with two reads by _id', async () => {
  const users = new MongoUserRepository(userModel(conn));
  const u = await users.create(user('lookup@ytm.test'));
  const reader = new MongoUserRepository(userModel(monitored));
  let found: unknown;
  const finds = await findsOf(async () => (found = await reader.findByEmailWithSecret('lookup@ytm.test')));
  expect(found).toMatchObject({ id: u.id, email: 'lookup@ytm.test', passwordHash: 'h' });
  expect(finds).toHaveLength(2);
  expect(finds.every(byIdOnly)).toBe(true);
  expect(await reader.findByEmailWithSecret('nobody@ytm.test')).toBeNull();
});

it('of twenty concurrent sign-ups with one email makes exactly one account; the others are EmailTakenError', async () => {
  const users = new MongoUserRepository(userModel(conn));
  for (let round = 0; round < 3; round++) {
    const email = `together-${round}@ytm.test`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => users.create(user(email))));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof EmailTakenError)).toHaveLength(19);
    expect(await conn.collection('users').countDocuments({ email })).toBe(1);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    expect((await conn.collection('user_emails').findOne({ _id: email as never }))?.userId).toBe(winner);
    expect((await users.findByEmailWithSecret(email))?.id).toBe(winner);
  }
});

it('treats a young claim without its user as a sign-up in flight, and takes over an abandoned one', async () => {
  const users = new MongoUserRepository(userModel(conn));
  const emails = conn.collection('user_emails');
  await emails.insertOne({ _id: 'inflight@ytm.test' as never, userId: 'not-yet', at: new Date() });
  await expect(users.create(user('inflight@ytm.test'))).rejects.toBeInstanceOf(EmailTakenError);
  expect(await users.findByEmailWithSecret('inflight@ytm.test')).toBeNull();
  await emails.insertOne({ _id: 'abandoned@ytm.test' as never, userId: 'never', at: new Date(Date.now() - STALE_CLAIM_MS - 1_000) });
  const u = await users.create(user('abandoned@ytm.test'));
  expect((await users.findByEmailWithSecret('abandoned@ytm.test'))?.id).toBe(u.id);
});

it('upgrades a database written without lookups: backfill at start (idempotent), and a sign-up refused by an unclaimed user repoints the claim', async () => {
  const now = new Date();
  const later = new Date(now.getTime() + 86_400_000);
  const legacy = (n: number) => ({ _id: `old-${n}`, ...user(`old-${n}@ytm.test`), createdAt: now, updatedAt: now });
  await conn.collection('users').insertMany([legacy(1), legacy(2), legacy(3)] as never[]);
  const session = (id: string, hash: string, extra = {}) => ({
    _id: id,
    userId: 'old-1',
    refreshHash: hash,
    spentHashes: [],
    createdAt: now,
    lastUsedAt: now,
    expiresAt: later,
    revokedAt: null,
    revokedReason: null,
    ...extra,
  });
  await conn
    .collection('sessions')
    .insertMany([session('old-s1', 'old-h1'), session('old-s2', 'old-h2', { revokedAt: now }), session('old-s3', 'old-h3', { expiresAt: now })] as never[]);
  await conn.collection('api_keys').insertMany([
    { _id: 'old-digest-1', keyId: 'old-key-1', userId: 'old-1', name: 'k', createdAt: now, lastUsedAt: null },
    { _id: 'old-digest-2', keyId: 'old-key-2', userId: 'old-1', name: 'k', createdAt: now, lastUsedAt: null, _deleted: true },
  ] as never[]);

  const users = new MongoUserRepository(userModel(conn));
  const sessions = new MongoSessionRepository(sessionModel(conn), conn.collection('refresh_claims'), conn.collection('session_revocations'));
  const keys = apiKeys(conn);

  // Before the backfill, a sign-up with an unclaimed user's email is still refused (unique email index), and repairs the claim.
  await expect(users.create(user('old-3@ytm.test'))).rejects.toBeInstanceOf(EmailTakenError);
  expect((await users.findByEmailWithSecret('old-3@ytm.test'))?.id).toBe('old-3');
  expect(await users.findByEmailWithSecret('old-1@ytm.test')).toBeNull();

  expect(await users.backfillEmailLookup(logger)).toMatchObject({ added: 2, repointed: 0 });
  expect(await sessions.backfillTokenLookup(logger, now)).toMatchObject({ added: 1 });
  expect(await keys.backfillIdLookup(logger)).toMatchObject({ added: 1 });
  expect((await users.findByEmailWithSecret('old-1@ytm.test'))?.id).toBe('old-1');
  expect((await users.findByEmailWithSecret('old-2@ytm.test'))?.id).toBe('old-2');
  expect((await sessions.rotate('old-h1', 'old-h1b', now))?.id).toBe('old-s1');
  expect(await sessions.rotate('old-h2', 'x', now)).toBeNull(); // revoked
  expect(await sessions.rotate('old-h3', 'x', now)).toBeNull(); // expired
  expect((await keys.findById('old-key-1'))?.userId).toBe('old-1');
  expect(await keys.findById('old-key-2')).toBeNull();

  // A second start finds nothing to do; a claim that disagrees with its user is repointed.
  expect(await users.backfillEmailLookup(logger)).toMatchObject({ added: 0, repointed: 0 });
  expect(await sessions.backfillTokenLookup(logger, now)).toMatchObject({ added: 0 });
  expect(await keys.backfillIdLookup(logger)).toMatchObject({ added: 0 });
  await conn.collection('user_emails').updateOne({ _id: 'old-2@ytm.test' as never }, { $set: { userId: 'someone-else' } });
  expect(await users.backfillEmailLookup(logger)).toMatchObject({ added: 0, repointed: 1 });
  expect((await users.findByEmailWithSecret('old-2@ytm.test'))?.id).toBe('old-2');
});

it('refreshes through the token lookup by _id; a spent or unknown token changes nothing', async () => {
  const sessions = new MongoSessionRepository(sessionModel(monitored), monitored.collection('refresh_claims'), monitored.collection('session_revocations'));
  await sessions.create({ id: 'tok-s', userId: 'u', refreshHash: 'tok-0', expiresAt: new Date(Date.now() + 60_000) });
  const finds = await findsOf(async () => expect((await sessions.rotate('tok-0', 'tok-1', new Date()))?.id).toBe('tok-s'));
  expect(finds.every(byIdOnly)).toBe(true);
  expect((await conn.collection('session_tokens').find({ sessionId: 'tok-s' }).toArray()).map((d) => d._id)).toEqual(['tok-1']);
  const before = await conn.collection('session_tokens').countDocuments();
  expect(await sessions.rotate('tok-0', 'tok-2', new Date())).toBeNull(); // spent
  expect(await sessions.rotate('never-issued', 'tok-3', new Date())).toBeNull();
  expect(await conn.collection('session_tokens').countDocuments()).toBe(before);
  expect((await sessions.findBySpentHash('tok-0'))?.id).toBe('tok-s');
});

it('finds and revokes an API key by its id through reads by _id', async () => {
  const writer = apiKeys(conn);
  await writer.create({ id: 'key-a', userId: 'u-a', name: 'phone', createdAt: new Date(), lastUsedAt: null }, 'digest-a');
  const keys = apiKeys(monitored);
  const finds = await findsOf(async () => expect((await keys.findById('key-a'))?.userId).toBe('u-a'));
  expect(finds.every(byIdOnly)).toBe(true);
  expect(await keys.findById('key-unknown')).toBeNull();
  expect(await keys.revoke('key-a')).toBe(true);
  expect(await keys.revoke('key-a')).toBe(false);
  expect(await keys.findById('key-a')).toBeNull();
  expect(await keys.findByDigest('digest-a')).toBeNull();
});

it("tells which tracks left the library from marks held in memory: one read by _id per request, another replica's change at once", async () => {
  const VERSIONS = 'removed_track_versions';
  const writer = new MongoRemovedTrackRepository(conn.collection('removed_tracks'), conn.collection(VERSIONS));
  const removedAt = new Date('2026-03-01T00:00:00Z');
  await writer.markRemoved('gone-1', removedAt);
  await writer.markRemoved('gone-2', removedAt);
  const reader = new MongoRemovedTrackRepository(monitored.collection('removed_tracks'), monitored.collection(VERSIONS));
  const among = async (ids: string[]) => [...(await reader.removedAmong(ids))].sort();
  // The first request reads the version token, then every mark once.
  let first: string[] = [];
  let finds = await findsOf(async () => (first = await among(['gone-1', 'here', 'gone-2', 'gone-1'])));
  expect(first).toEqual(['gone-1', 'gone-2']);
  expect(finds.map((f) => f.collection)).toEqual([VERSIONS, 'removed_tracks']);
  // Then one read by `_id` per request, whatever the number of tracks asked about.
  const page = Array.from({ length: 100 }, (_, i) => `here-${i}`).concat('gone-2');
  let onPage: string[] = [];
  finds = await findsOf(async () => (onPage = await among(page)));
  expect(onPage).toEqual(['gone-2']);
  expect(finds).toHaveLength(1);
  expect(finds.every(byIdOnly)).toBe(true);
  // Another replica's changes are seen at the next request: a track back, another gone.
  await writer.markRestored('gone-1', new Date('2026-03-02T00:00:00Z'));
  await writer.markRemoved('gone-3', removedAt);
  expect(await among(['gone-1', 'gone-2', 'gone-3'])).toEqual(['gone-2', 'gone-3']);
  // A re-add older than the removal (a redelivered event) changes nothing, and no token is replaced.
  const token = async () => (await conn.collection(VERSIONS).findOne({ _id: 'removed' as never }))?.token;
  const before = await token();
  await writer.markRestored('gone-2', new Date('2026-02-01T00:00:00Z'));
  expect(await token()).toBe(before);
  expect(await among(['gone-2'])).toEqual(['gone-2']);
});

/**
 * Two "replicas" of resource on one fresh database: `a` writes, `b`'s finds are recorded (`finds`);
 * the users model is initialised first, the database dropped after.
 */
async function withTwoReplicas(name: string, test: (a: Connection, b: Connection, finds: Array<Record<string, unknown>>) => Promise<void>): Promise<void> {
  const dbName = uniqueName(name);
  const a = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false }).asPromise();
  const b = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
  const finds: Array<Record<string, unknown>> = [];
  b.getClient().on('commandStarted', (e) => {
    const c = e.command as { find?: string; filter?: Record<string, unknown> };
    if (e.commandName === 'find') finds.push({ collection: c.find, ...c.filter });
  });
  try {
    await userModel(a).init();
    await test(a, b, finds);
  } finally {
    await b.close();
    await a.db?.dropDatabase();
    await a.close();
  }
}

it("searches users in memory: one pass over users per change, then users by _id; a rename here at once, another replica's once heard of", async () => {
  await withTwoReplicas('resource_search', async (a, b, finds) => {
    const held = { searchNamesMaxAgeMs: 600_000 };
    const replicaA = new MongoUserRepository(userModel(a), undefined, undefined, held);
    const replicaB = new MongoUserRepository(userModel(b), undefined, undefined, held);
    const ann = await replicaA.create({ ...user('ann@search.test'), displayName: 'Ann Archer' });
    await replicaA.create({ ...user('bob@search.test'), displayName: 'Bob Builder' });
    const found = async (search: string) => (await replicaB.page({ first: 10, search })).users.map((u) => u.email);
    expect(await found('ARCHER')).toEqual(['ann@search.test']);
    expect(await found('@search.TEST')).toEqual(['ann@search.test', 'bob@search.test']);
    // A page of one, the next after its email, and the count of every match.
    const page1 = await replicaB.page({ first: 1, search: 'search.test' });
    expect({ emails: page1.users.map((u) => u.email), hasNextPage: page1.hasNextPage, total: page1.totalCount }).toEqual({
      emails: ['ann@search.test'],
      hasNextPage: true,
      total: 2,
    });
    expect((await replicaB.page({ first: 1, search: 'search.test', afterEmail: 'ann@search.test' })).users.map((u) => u.email)).toEqual(['bob@search.test']);
    // Held: further searches read users by `_id` only (their pages), no pass over the collection.
    finds.length = 0;
    expect(await found('bob')).toEqual(['bob@search.test']);
    expect(await found('.*')).toEqual([]);
    expect(finds.filter((f) => f.collection === 'users').every(byIdOnly)).toBe(true);
    // Renamed on replica A: B matches the new name once it hears of the change.
    await replicaA.setDisplayName(ann.id, 'Ann Zephyr');
    expect(await found('zephyr')).toEqual([]);
    replicaB.changedElsewhere();
    expect(await found('zephyr')).toEqual(['ann@search.test']);
    // Renamed on B itself: at once. A sign-up on A: at once (it replaces the directory's token).
    await replicaB.setDisplayName(ann.id, 'Ann Quill');
    expect(await found('quill')).toEqual(['ann@search.test']);
    await replicaA.create({ ...user('cy@search.test'), displayName: 'Cy Young' });
    expect(await found('young')).toEqual(['cy@search.test']);
    // With no names held (age limit 0), every search reads them: A's rename is matched at once.
    const unheld = new MongoUserRepository(userModel(b), undefined, undefined, { searchNamesMaxAgeMs: 0 });
    await unheld.page({ first: 1, search: 'x' });
    await replicaA.setDisplayName(ann.id, 'Ann Vega');
    expect((await unheld.page({ first: 10, search: 'vega' })).users.map((u) => u.email)).toEqual(['ann@search.test']);
  });
});

it("lists users in email order from the directory: another replica's sign-up at once, fresh user data, users read by _id only", async () => {
  await withTwoReplicas('resource_directory', async (a, b, finds) => {
    const replicaA = new MongoUserRepository(userModel(a));
    const replicaB = new MongoUserRepository(userModel(b));
    await replicaA.create(user('b@dir.test'));
    const first = await replicaA.create(user('a@dir.test'));
    const emails = (p: { users: Array<{ email: string }> }) => p.users.map((u) => u.email);
    expect(emails(await replicaB.page({ first: 10 }))).toEqual(['a@dir.test', 'b@dir.test']);
    await replicaA.create(user('c@dir.test'));
    const page1 = await replicaB.page({ first: 2 });
    expect({ emails: emails(page1), hasNextPage: page1.hasNextPage, totalCount: page1.totalCount }).toEqual({
      emails: ['a@dir.test', 'b@dir.test'],
      hasNextPage: true,
      totalCount: 3,
    });
    const page2 = await replicaB.page({ first: 2, afterEmail: 'b@dir.test' });
    expect({ emails: emails(page2), hasNextPage: page2.hasNextPage }).toEqual({ emails: ['c@dir.test'], hasNextPage: false });
    await replicaA.setDisplayName(first.id, 'Renamed');
    expect((await replicaB.page({ first: 1 })).users[0]?.displayName).toBe('Renamed');
    // A claim whose user is not (yet) there is counted but shown on no page.
    await a.collection('user_emails').insertOne({ _id: 'bb@dir.test' as never, userId: 'in-flight', at: new Date() });
    await replicaA.create(user('d@dir.test'));
    const all = await replicaB.page({ first: 10 });
    expect({ emails: emails(all), totalCount: all.totalCount }).toEqual({ emails: ['a@dir.test', 'b@dir.test', 'c@dir.test', 'd@dir.test'], totalCount: 5 });
    expect(finds.filter((f) => f.collection === 'users').every(byIdOnly)).toBe(true);
    expect(finds.filter((f) => f.collection === 'user_emails').length).toBeLessThanOrEqual(4); // read again only after a sign-up
  });
});
