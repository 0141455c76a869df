import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { TicketQuota, ticketQuotaModel } from '../../src/persistence/ticket-quota.js';

// Real FerretDB on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

const dbName = uniqueName('stream_quota_test');
let a: Connection;
let b: Connection;
beforeAll(async () => {
  const { mongodbUrl } = infraEnv();
  // Two connections: two stream replicas sharing one database.
  [a, b] = await Promise.all([mongoose.createConnection(mongodbUrl, { dbName }).asPromise(), mongoose.createConnection(mongodbUrl, { dbName }).asPromise()]);
});
afterAll(async () => {
  await a?.db?.dropDatabase().catch(() => undefined);
  await Promise.all([a?.close(), b?.close()]);
});

const today = new Date(Date.UTC(2026, 11, 6));
const tomorrow = new Date(Date.UTC(2026, 11, 7));
const at = new Date(Date.UTC(2026, 11, 6, 12));

describe('daily ticket quota (ticket_quota, real FerretDB)', () => {
  it('two replicas racing for the last slots: exactly the limit is granted, and both count it', async () => {
    const [qa, qb] = [new TicketQuota(ticketQuotaModel(a)), new TicketQuota(ticketQuotaModel(b))];
    const user = `u-${randomUUID()}`;
    const granted = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? qa : qb).take(user, today, `t${i}`, 5, at)));
    expect(granted.filter(Boolean)).toHaveLength(5);
    expect(await qa.count(user, today)).toBe(5);
    expect(await qb.count(user, today)).toBe(5);
    // Refused once the day is full; the next day starts at 0.
    expect(await qa.take(user, today, 'late', 5, at)).toBe(false);
    expect(await qb.count(user, tomorrow)).toBe(0);
    expect(await qb.take(user, tomorrow, 'next-day', 5, at)).toBe(true);
    expect(await qa.count(user, tomorrow)).toBe(1);
  });

  it('the count does not depend on the hint: a hint left behind (a lost update) or gone is made up by the slots', async () => {
    const model = ticketQuotaModel(a);
    const quota = new TicketQuota(model);
    const user = `u-${randomUUID()}`;
    for (let i = 0; i < 4; i++) expect(await quota.take(user, today, `t${i}`, null, at)).toBe(true);
    const hint = `${user}:2026-12-06`;
    expect((await model.collection.findOne({ _id: hint as never }))?.n).toBe(4);
    await model.collection.updateOne({ _id: hint as never }, { $set: { n: 1 } });
    expect(await quota.count(user, today)).toBe(4);
    await model.collection.deleteOne({ _id: hint as never });
    expect(await quota.count(user, today)).toBe(4);
    // Unlimited plans take slots too (their playsToday is counted the same way), without a limit.
    expect(await quota.take(user, today, 't4', null, at)).toBe(true);
    expect(await quota.count(user, today)).toBe(5);
    // Each slot names its ticket, once.
    const slots = await model.find({ _id: { $regex: `^${hint}:` } }).lean();
    expect(slots.map((s) => s.ticketId).sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('other users’ tickets do not count', async () => {
    const quota = new TicketQuota(ticketQuotaModel(b));
    const [u1, u2] = [`u-${randomUUID()}`, `u-${randomUUID()}`];
    await quota.take(u1, today, 'x', 3, at);
    expect(await quota.count(u2, today)).toBe(0);
    expect(await quota.count(u1, today)).toBe(1);
  });
});
