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
