import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { sessionModel } from '../../src/persistence/session.model.js';
import { MongoSessionRepository } from '../../src/persistence/session.repository.js';

let conn: Connection;
let repo: MongoSessionRepository;

beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('resource_sessions'), retryWrites: false }).asPromise();
  repo = new MongoSessionRepository(sessionModel(conn), conn.collection('refresh_claims'), conn.collection('session_revocations'));
});
afterAll(async () => {
  await conn.db?.dropDatabase();
  await conn.close();
});

// FerretDB 1.x applies findOneAndUpdate as read, modify, write back: with a conditional update
// alone, several of these rotations won (measured: up to 5 of 10). The claim insert makes it one.
it('lets exactly one of ten concurrent rotations of the same token win, every time', async () => {
  for (let round = 0; round < 10; round++) {
    const id = `s-${round}`;
    await repo.create({ id, userId: 'u1', refreshHash: `h-${round}`, expiresAt: new Date(Date.now() + 60_000) });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repo.rotate(`h-${round}`, `n-${round}-${i}`, new Date())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await repo.findBySpentHash(`h-${round}`))?.id).toBe(id);
  }
});

it('keeps a revocation even when a rotation writes the session concurrently', async () => {
  for (let round = 0; round < 10; round++) {
    const id = `r-${round}`;
    await repo.create({ id, userId: 'u2', refreshHash: `rh-${round}`, expiresAt: new Date(Date.now() + 60_000) });
    await Promise.all([repo.rotate(`rh-${round}`, `rn-${round}`, new Date()), repo.revoke(id, 'test', new Date())]);
    expect((await repo.findById(id))?.revokedAt).not.toBeNull();
    expect(await repo.rotate(`rn-${round}`, `rx-${round}`, new Date())).toBeNull();
  }
});

it('deletes sessions past their last possible use with their claims and revocation markers, and nothing else, idempotently', async () => {
  const day = 86_400_000;
  const grace = 15 * 60_000;
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const make = async (id: string, expiresAt: Date, spentAt: Date) => {
    await repo.create({ id, userId: 'u-prune', refreshHash: `${id}-0`, expiresAt });
    // A rotation while the session lived leaves a claim on the spent hash.
    expect(await repo.rotate(`${id}-0`, `${id}-1`, spentAt)).not.toBeNull();
  };
  await make('p-live', new Date(now.getTime() + day), ago(day));
  await make('p-expired-within-grace', ago(grace / 2), ago(day));
  await make('p-expired', ago(grace * 2), ago(day));
  await make('p-revoked', new Date(now.getTime() + day), ago(day));
  await repo.revoke('p-revoked', 'sign-out', ago(grace * 2));
  await make('p-revoked-within-grace', new Date(now.getTime() + day), ago(day));
  await repo.revoke('p-revoked-within-grace', 'sign-out', ago(grace / 2));
  // A claim left by an interrupted pass (its session already gone), older than any session can live.
  await conn.collection('refresh_claims').insertOne({ _id: 'orphan' as never, sessionId: 'gone', at: ago(31 * day + grace) });

  const pruned = await repo.pruneEnded(now, grace, 30 * day, 2);
  expect(pruned).toEqual({ sessions: 2, claims: 3, revocations: 1, tokens: 2 });
  const remaining = (await conn.collection('sessions').find({ userId: 'u-prune' }).toArray()).map((d) => d._id).sort();
  expect(remaining).toEqual(['p-expired-within-grace', 'p-live', 'p-revoked-within-grace']);
  expect(
    (
      await conn
        .collection('session_revocations')
        .find({ _id: { $in: ['p-revoked', 'p-revoked-within-grace'] as never[] } })
        .toArray()
    ).map((d) => d._id),
  ).toEqual(['p-revoked-within-grace']);
  expect(await conn.collection('refresh_claims').countDocuments({ _id: 'orphan' as never })).toBe(0);

  // What remains still works: reuse of a live session's spent token is still detected, the revoked one stays revoked.
  expect((await repo.findBySpentHash('p-live-0'))?.id).toBe('p-live');
  expect((await repo.findBySpentHash('p-expired-within-grace-0'))?.id).toBe('p-expired-within-grace');
  expect(await repo.rotate('p-revoked-within-grace-1', 'x', now)).toBeNull();
  expect(await repo.rotate('p-live-1', 'p-live-2', now)).not.toBeNull();
  // What was pruned is simply unknown: a replayed spent token finds nothing, the current one cannot rotate.
  expect(await repo.findBySpentHash('p-expired-0')).toBeNull();
  expect(await repo.rotate('p-revoked-1', 'y', now)).toBeNull();
  expect(await repo.findById('p-revoked')).toBeNull();

  // Idempotent: a second pass (or another replica's) deletes nothing more.
  expect(await repo.pruneEnded(now, grace, 30 * day, 2)).toEqual({ sessions: 0, claims: 0, revocations: 0, tokens: 0 });
});
