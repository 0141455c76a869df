import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { closeServer, createClient, fromGrpcError, listen, ResourceClient, status, unaryCall } from '@ytm/proto';
import { infraEnv, testIdentity, uniqueName } from '@ytm/testing';
import { MongoAnnotationRepository } from '../../src/persistence/annotation.repository.js';
import { MongoPlayQueueRepository } from '../../src/persistence/play-queue.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';
import { startHarness, type Harness, type TestSession } from './harness.js';

describe('repositories on FerretDB', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('resource_user_data'), retryWrites: false }).asPromise();
  });
  const annotationRepo = () =>
    new MongoAnnotationRepository(conn.collection('annotations'), conn.collection(READ_MODELS), new ReadModelIntents(conn.collection(READ_MODEL_INTENTS)));
  afterAll(async () => {
    await conn.db?.dropDatabase();
    await conn.close();
  });

  it('keeps one document per (user, kind, item) keyed by _id, removed when neither rated nor starred', async () => {
    const repo = annotationRepo();
    const [u1, u2] = [randomUUID(), randomUUID()];
    const at = new Date('2026-12-06T03:00:00Z');
    await repo.update(u1, 'album', 'al_1', () => ({ rating: 4, starredAt: null }));
    await repo.update(u1, 'album', 'al_1', (c) => ({ rating: c?.rating ?? null, starredAt: at }));
    await repo.update(u1, 'track', 'tr_1', () => ({ rating: 2, starredAt: null }));
    await repo.update(u2, 'album', 'al_1', () => ({ rating: 1, starredAt: null }));
    expect(await conn.collection('annotations').findOne({ _id: `${u1}:album:al_1` as never })).toEqual({
      _id: `${u1}:album:al_1`,
      userId: u1,
      kind: 'album',
      itemId: 'al_1',
      rating: 4,
      starredAt: at,
    });
    const mine = await repo.listByUser(u1, 100);
    expect(mine.sort((a, b) => a.itemId.localeCompare(b.itemId))).toEqual([
      { kind: 'album', itemId: 'al_1', rating: 4, starredAt: at },
      { kind: 'track', itemId: 'tr_1', rating: 2, starredAt: null },
    ]);
    await repo.update(u1, 'track', 'tr_1', () => ({ rating: null, starredAt: null }));
    expect(await conn.collection('annotations').countDocuments({ _id: `${u1}:track:tr_1` as never })).toBe(0);
    expect(await repo.listByUser(u2, 100)).toEqual([{ kind: 'album', itemId: 'al_1', rating: 1, starredAt: null }]);
  });

  it('serialises concurrent changes of one item within a process: none is lost', async () => {
    const repo = annotationRepo();
    const u = randomUUID();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        repo.update(u, 'artist', 'ar_1', (c) => ({
          rating: Math.min(5, (c?.rating ?? 0) + (i % 2)),
          starredAt: i === 3 ? new Date() : (c?.starredAt ?? null),
        })),
      ),
    );
    const [a] = await repo.listByUser(u, 10);
    expect(a?.rating).toBe(5);
    expect(a?.starredAt).toBeInstanceOf(Date);
  });

  it('saves, replaces and clears a play queue per user', async () => {
    const repo = new MongoPlayQueueRepository(conn.collection('play_queues'));
    const u = randomUUID();
    expect(await repo.find(u)).toBeNull();
    const q = { trackIds: ['tr_1', 'tr_2'], currentIndex: 1, positionMs: 1234, changedBy: 'DSub', changedAt: new Date('2026-12-06T03:00:00Z') };
    await repo.save(u, q);
    expect(await repo.find(u)).toEqual(q);
    await repo.save(u, { ...q, trackIds: ['tr_3'], currentIndex: 0 });
    expect(await repo.find(u)).toEqual({ ...q, trackIds: ['tr_3'], currentIndex: 0 });
    await repo.clear(u);
    expect(await repo.find(u)).toBeNull();
  });
});

describe('the Resource gRPC user-data methods', () => {
  let h: Harness;
  let alice: TestSession;
  let client: ResourceClient;
  let address: string;
  beforeAll(async () => {
    h = await startHarness();
    alice = await h.signUp('alice');
    const port = await listen(h.resource.grpc.server, '127.0.0.1', 0);
    address = `127.0.0.1:${port}`;
    client = createClient(ResourceClient, address, testIdentity('subsonic'));
  });
  afterAll(async () => {
    client.close();
    await closeServer(h.resource.grpc.server, 100);
    await h.close();
  });
  const opts = { deadlineMs: 5_000 };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'OK',
      (err: unknown) => fromGrpcError(err).code,
    );

  it('rates, stars and lists for subsonic; bad input is refused with BAD_USER_INPUT and changes nothing', async () => {
    const userId = alice.user.id;
    expect(await unaryCall(client.setRating.bind(client), { userId, kind: 'album', itemId: 'al_x', rating: 5 }, opts)).toEqual({
      kind: 'album',
      itemId: 'al_x',
      rating: 5,
      starredAtMs: 0,
    });
    const starred = await unaryCall(client.setStarred.bind(client), { userId, kind: 'artist', itemIds: ['ar_y'], starred: true }, opts);
    expect(starred.annotations[0]?.starredAtMs).toBeGreaterThan(0);
    expect(await failure(unaryCall(client.setRating.bind(client), { userId, kind: 'album', itemId: 'al_x', rating: 6 }, opts))).toBe('BAD_USER_INPUT');
    expect(await failure(unaryCall(client.setStarred.bind(client), { userId, kind: 'track', itemIds: ['tr_1'], starred: true }, opts))).toBe('BAD_USER_INPUT');
    expect(await failure(unaryCall(client.listAnnotations.bind(client), { userId: 'nobody' }, opts))).toBe('BAD_USER_INPUT');
    const { annotations } = await unaryCall(client.listAnnotations.bind(client), { userId }, opts);
    expect(annotations.map((a) => `${a.kind}:${a.itemId}:${a.rating}`).sort()).toEqual(['album:al_x:5', 'artist:ar_y:0']);
  });

  it('saves the play queue of library tracks only', async () => {
    const userId = alice.user.id;
    const [t1, t2] = h.library.add(2);
    expect(await unaryCall(client.getPlayQueue.bind(client), { userId }, opts)).toMatchObject({ saved: false, trackIds: [] });
    const saved = await unaryCall(
      client.savePlayQueue.bind(client),
      { userId, trackIds: [t1!, t2!], currentIndex: 1, positionMs: 42_000, changedBy: 'Feishin' },
      opts,
    );
    expect(saved).toMatchObject({ saved: true, trackIds: [t1, t2], currentIndex: 1, positionMs: 42_000, changedBy: 'Feishin' });
    expect(
      await failure(
        unaryCall(client.savePlayQueue.bind(client), { userId, trackIds: [t1!, 'tr_unknown'], currentIndex: 0, positionMs: 0, changedBy: 'x' }, opts),
      ),
    ).toBe('NOT_FOUND');
    expect(await unaryCall(client.getPlayQueue.bind(client), { userId }, opts)).toEqual(saved);
  });

  it('is refused to every other service', async () => {
    const stream = createClient(ResourceClient, address, testIdentity('stream'));
    try {
      await expect(unaryCall(stream.listAnnotations.bind(stream), { userId: alice.user.id }, opts)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(
        unaryCall(stream.savePlayQueue.bind(stream), { userId: alice.user.id, trackIds: [], currentIndex: -1, positionMs: 0, changedBy: '' }, opts),
      ).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    } finally {
      stream.close();
    }
  });
});
