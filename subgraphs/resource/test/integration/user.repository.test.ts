import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { OutboxRelay } from '@ytm/events';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { userModel } from '../../src/persistence/user.model.js';
import { MongoUserRepository } from '../../src/persistence/user.repository.js';

// Dozens of writes to real FerretDB per test: on the shared machine under load that takes more than jest's 5 s.
jest.setTimeout(60_000);

let conn: Connection;
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('resource_users'), retryWrites: false }).asPromise();
});
afterAll(async () => {
  await conn.db?.dropDatabase();
  await conn.close();
});

/**
 * The repository with a running outbox relay whose publisher records event types, taking `brokerMs`
 * a send. Publishing is at-least-once: a redelivered event (same id) is recorded once.
 */
async function repositoryWithRelay(brokerMs: number) {
  const users = userModel(conn);
  await users.init();
  const sent: string[] = [];
  const seen = new Set<string>();
  const publisher = {
    send: async (_topic: string, messages: Array<{ value: string }>) => {
      if (brokerMs > 0) await new Promise((r) => setTimeout(r, brokerMs)); // a broker round trip
      for (const m of messages) {
        const event = JSON.parse(m.value) as { id: string; type: string };
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        sent.push(event.type);
      }
    },
  };
  const relay = new OutboxRelay({
    collections: [users.collection],
    publisher: publisher as never,
    logger: createLogger({ name: 'relay', level: 'silent' }),
    pollIntervalMs: 5,
  });
  const repo = new MongoUserRepository(users, () => relay.notify());
  relay.start();
  return { repo, relay, sent };
}

/** A FREE user named 'before', password hash 'h1'. */
function freeUser(email: string) {
  return { email, displayName: 'before', passwordHash: 'h1', role: 'USER' as const, plan: { tier: 'FREE' as const, expiresAt: null } };
}

// Without waiting for an idle outbox, this lost 9 of 40 user updates and 3 of 40 plan-changed
// events on FerretDB 1.24: the relay's write-back of a drained outbox undid them.
it('loses no update and no event to the outbox relay draining the same document', async () => {
  const { repo, relay, sent } = await repositoryWithRelay(3);
  let lost = 0;
  try {
    for (let i = 0; i < 40; i++) {
      const u = await repo.create(freeUser(`race-${i}@ytm.test`));
      await new Promise((r) => setTimeout(r, i % 8));
      await repo.replacePlan(u.id, u.plan, { tier: 'PREMIUM', expiresAt: null }, 'FREE');
      await repo.setDisplayName(u.id, 'after');
      const stored = await repo.findById(u.id);
      if (stored?.plan.tier !== 'PREMIUM' || stored.displayName !== 'after') lost += 1;
    }
    await waitFor(async () => (await relay.backlog()) === 0, 10_000, 20, 'outbox drained');
  } finally {
    await relay.stop();
  }
  expect(lost).toBe(0);
  expect(sent.filter((t) => t === 'resource.user.registered').length).toBeGreaterThanOrEqual(40);
  expect(sent.filter((t) => t === 'resource.user.plan-changed').length).toBeGreaterThanOrEqual(40);
});

// FerretDB 1.24 applies an update as read, modify, write back the whole document: two $set of
// different fields of one document, sent at once, kept only one of them in 44 of 50 tries.
it('concurrent updates of one user all land, and of two plan changes from the same plan one wins', async () => {
  const { repo, relay, sent } = await repositoryWithRelay(0);
  const failures: string[] = [];
  try {
    for (let i = 0; i < 15; i++) {
      const u = await repo.create(freeUser(`together-${i}@ytm.test`));
      await waitFor(async () => (await relay.backlog()) === 0, 5_000, 5, 'registration published');
      const [, , , first, second] = await Promise.all([
        repo.setDisplayName(u.id, 'after'),
        repo.setRole(u.id, 'ADMIN'),
        repo.setPasswordHash(u.id, 'h2'),
        repo.replacePlan(u.id, u.plan, { tier: 'PREMIUM', expiresAt: null }, 'FREE'),
        repo.replacePlan(u.id, u.plan, { tier: 'PREMIUM', expiresAt: null }, 'FREE'),
      ]);
      const stored = await repo.findWithSecret(u.id);
      const got = {
        displayName: stored?.displayName,
        role: stored?.role,
        passwordHash: stored?.passwordHash,
        tier: stored?.plan.tier,
        wins: Number(first) + Number(second),
      };
      const want = { displayName: 'after', role: 'ADMIN', passwordHash: 'h2', tier: 'PREMIUM', wins: 1 };
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(JSON.stringify(got));
    }
    await waitFor(async () => (await relay.backlog()) === 0, 10_000, 20, 'outbox drained');
  } finally {
    await relay.stop();
  }
  expect(failures).toEqual([]);
  expect(sent.filter((t) => t === 'resource.user.plan-changed')).toHaveLength(15);
});

it('reads a user (me, User entities) without the password hash or the pending outbox', async () => {
  const monitored = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: conn.name, retryWrites: false, monitorCommands: true }).asPromise();
  try {
    const replies: Array<Record<string, unknown>> = [];
    monitored.getClient().on('commandSucceeded', (e) => {
      const batch = (e.reply as { cursor?: { firstBatch?: Array<Record<string, unknown>> } }).cursor?.firstBatch;
      if (e.commandName === 'find' && batch) replies.push(...batch);
    });
    const writer = new MongoUserRepository(userModel(conn), () => undefined);
    const u = await writer.create(freeUser(`projection-${Date.now()}@ytm.test`)); // its event stays in the outbox: no relay
    const reader = new MongoUserRepository(userModel(monitored), () => undefined);
    expect(await reader.findById(u.id)).toMatchObject({ id: u.id, email: u.email, displayName: 'before', plan: { tier: 'FREE' } });
    expect(await reader.findByIds([u.id])).toHaveLength(1);
    expect(replies).toHaveLength(2);
    for (const doc of replies) expect(Object.keys(doc).sort()).toEqual(['_id', 'createdAt', 'displayName', 'email', 'plan', 'role']);
    expect((await userModel(conn).collection.findOne({ _id: u.id as never }))?._outbox).toHaveLength(1);
  } finally {
    await monitored.close();
  }
});
