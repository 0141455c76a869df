import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import type { Playlist } from '../../src/domain/playlist.js';
import { PLAYLIST_HEADS, PLAYLIST_STATES, PLAYLIST_VERSIONS } from '../../src/persistence/playlist.model.js';
import { MongoPlaylistRepository } from '../../src/persistence/playlist.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';

let conn: Connection;
let repo: MongoPlaylistRepository;

beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('resource_playlists'), retryWrites: false }).asPromise();
  repo = new MongoPlaylistRepository(
    conn.collection(PLAYLIST_HEADS),
    conn.collection(PLAYLIST_VERSIONS),
    conn.collection(PLAYLIST_STATES),
    conn.collection(READ_MODELS),
    new ReadModelIntents(conn.collection(READ_MODEL_INTENTS)),
  );
  await repo.init();
});
afterAll(async () => {
  await conn.db?.dropDatabase();
  await conn.close();
});

function playlist(version = 1, name = 'p'): Playlist {
  const now = new Date();
  return { id: randomUUID(), ownerId: 'owner', name, description: null, visibility: 'PRIVATE', version, items: [], createdAt: now, updatedAt: now };
}

// A conditional findOneAndUpdate on {_id, version} let up to 4 of 20 writers win on FerretDB 1.24.
it('commits each version exactly once among 20 concurrent writers, every time', async () => {
  for (let round = 0; round < 5; round++) {
    const p = playlist();
    await repo.create(p);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.commit({ ...p, version: 2, name: `w${i}` }, 'updated')));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await repo.findLatest(p.id)).toMatchObject({ version: 2, name: `w${winner}` });
  }
});

it('finds the latest version even when a slow writer set the head back, and repairs the head', async () => {
  const p = playlist();
  await repo.create(p);
  for (let v = 2; v <= 5; v++) await repo.commit({ ...p, version: v, name: `v${v}` }, 'updated');
  const heads = conn.collection(PLAYLIST_HEADS);
  await heads.updateOne({ _id: p.id as never }, { $set: { version: 2, name: 'v2' } });
  expect(await repo.findLatest(p.id)).toMatchObject({ version: 5, name: 'v5' });
  expect(await heads.findOne({ _id: p.id as never })).toMatchObject({ version: 5, name: 'v5' });
});

it('sweeps superseded versions and their states, keeping the latest and tombstones', async () => {
  const kept = playlist();
  await repo.create(kept);
  for (let v = 2; v <= 4; v++) await repo.commit({ ...kept, version: v }, 'updated');
  const gone = playlist();
  await repo.create(gone);
  await repo.commit({ ...gone, version: 2 }, 'deleted');
  const versions = conn.collection(PLAYLIST_VERSIONS);
  // Events are out (the relay is not running here): empty the outboxes as the relay would.
  await versions.updateMany({}, { $set: { _outbox: [] } });
  expect(await repo.sweep(60_000)).toBe(0); // too young
  await repo.sweep(0);
  const left = await versions.find({ playlistId: { $in: [kept.id, gone.id] } } as never).toArray();
  expect(left.map((d) => String(d._id)).sort()).toEqual([`${gone.id}:2`, `${kept.id}:4`].sort());
  expect(await conn.collection(PLAYLIST_STATES).countDocuments({ playlistId: kept.id })).toBe(1);
  expect(await repo.findLatest(kept.id)).toMatchObject({ version: 4 });
  expect(await repo.findLatest(gone.id)).toBeNull();
  // The tombstone still blocks a late writer of the same version.
  expect(await repo.commit({ ...gone, version: 2 }, 'updated')).toBe(false);
});

// An owner's listing is a read model held per replica: a second read costs one `_id` read (is there
// a newer version?), not a scan of every head, and a write on another replica shows at once.
it('lists an owner’s playlists from memory, fresh across replicas after every write, paged newest first', async () => {
  const monitored = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: conn.name, retryWrites: false, monitorCommands: true }).asPromise();
  try {
    const replica = new MongoPlaylistRepository(
      monitored.collection(PLAYLIST_HEADS),
      monitored.collection(PLAYLIST_VERSIONS),
      monitored.collection(PLAYLIST_STATES),
      monitored.collection(READ_MODELS),
      new ReadModelIntents(monitored.collection(READ_MODEL_INTENTS)),
    );
    const ownerId = `owner-${randomUUID()}`;
    const base = Date.now();
    const made = [0, 1, 2].map((i) => ({
      ...playlist(1, `p${i}`),
      ownerId,
      createdAt: new Date(base + i * 1000),
      visibility: i === 1 ? ('PUBLIC' as const) : ('PRIVATE' as const),
    }));
    for (const p of made) await repo.create(p);
    const names = async (options: Parameters<MongoPlaylistRepository['listByOwner']>[1]) =>
      (await replica.listByOwner(ownerId, options)).playlists.map((p) => p.name);

    expect(await names({ publicOnly: false, first: 10 })).toEqual(['p2', 'p1', 'p0']);
    const firstPage = await replica.listByOwner(ownerId, { publicOnly: false, first: 2 });
    expect(firstPage).toMatchObject({ hasNextPage: true, totalCount: 3 });
    const last = firstPage.playlists[1]!;
    expect(await names({ publicOnly: false, first: 2, after: { createdAt: last.createdAt, id: last.id } })).toEqual(['p0']);
    expect(await replica.listByOwner(ownerId, { publicOnly: true, first: 10 })).toMatchObject({ totalCount: 1, playlists: [{ name: 'p1' }] });

    const reads: Array<{ collection: string; filter: unknown }> = [];
    monitored.getClient().on('commandStarted', (e) => {
      if (e.commandName === 'find') reads.push({ collection: String(e.command.find), filter: e.command.filter });
    });
    await replica.listByOwner(ownerId, { publicOnly: false, first: 10 });
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ collection: READ_MODELS, filter: { _id: expect.stringMatching(new RegExp(`^owned:${ownerId}#\\d+$`)) } });

    // Written by the other replica: renamed, one deleted, one added.
    await repo.commit({ ...made[0]!, version: 2, name: 'renamed' }, 'updated');
    await repo.commit({ ...made[2]!, version: 2 }, 'deleted');
    await repo.create({ ...playlist(1, 'p3'), ownerId, createdAt: new Date(base + 3000) });
    expect(await names({ publicOnly: false, first: 10 })).toEqual(['p3', 'p1', 'renamed']);
  } finally {
    await monitored.close();
  }
});
