import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { createKafka, outboxEntry, startConsumer, TOPICS, type Envelope } from '@ytm/events';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { PlayTracker } from '../../src/domain/play-tracker.js';
import type { TicketClaims } from '../../src/domain/ticket.js';
import { Lease } from '../../src/persistence/lease.js';
import { announcePlayCountsRewritten, PlayCountFeed, PlayCountView } from '../../src/persistence/play-count-view.js';
import { PlayFolder } from '../../src/persistence/play-folder.js';
import { playModel } from '../../src/persistence/play.model.js';
import { MongoPlayRepository } from '../../src/persistence/play.repository.js';
import { PLAY_STATS_MIGRATION } from '../../src/persistence/play-stats.migration.js';
import { playStatsModels } from '../../src/persistence/play-stats.model.js';
import { startHarness, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(120_000);

const logger = createLogger({ name: 'play-stats-test', level: 'silent' });
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const claims = (trackId: string, userId = `u-${randomUUID()}`): TicketClaims => ({
  ticketId: randomUUID(),
  userId,
  sessionId: 's',
  trackId,
  expiresAt: new Date(Date.now() + 3_600_000),
});

function repository(harness: Harness) {
  return new MongoPlayRepository(playStatsModels(harness.stream.conn), () => {
    harness.stream.relay.notify();
    harness.stream.folder.notify();
  });
}

const pendingCount = (harness: Harness) => playStatsModels(harness.stream.conn).pending.countDocuments({});

describe('play statistics (real FerretDB)', () => {
  it('counts a completed play once under concurrent retries, a replay after folding, and a refold by another replica', async () => {
    const repo = repository(h);
    const track = `t-${randomUUID()}`;
    const c = claims(track);
    const t0 = new Date(Date.now() - 1_000);
    await repo.markStarted(c, t0);
    const writes = await Promise.all(Array.from({ length: 20 }, () => repo.markCompleted(c, new Date())));
    expect(writes.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await pendingCount(h)) === 0, 20_000, 100, 'the pending log to drain');
    expect((await repo.countCompleted([track])).get(track)).toBe(1);

    // A retried write after the step was folded and left the pending log: found in the history, not recorded again.
    expect(await repo.markCompleted(c, new Date())).toBe(false);
    expect(await pendingCount(h)).toBe(0);
    expect((await repo.countCompleted([track])).get(track)).toBe(1);

    // A crash after the counters were written, before the steps left the pending log: another
    // replica (a new folder holding the lease) folds the same steps again.
    await h.stream.folder.stop();
    const stats = playStatsModels(h.stream.conn);
    await stats.pending.collection.insertMany([
      { _id: `started:${c.ticketId}` as never, kind: 'started', ticketId: c.ticketId, userId: c.userId, trackId: track, at: t0 },
      { _id: `completed:${c.ticketId}` as never, kind: 'completed', ticketId: c.ticketId, userId: c.userId, trackId: track, at: new Date() },
    ]);
    const other = new PlayFolder({ models: stats, history: playModel(h.stream.conn), lease: new Lease(stats.leases, 'play-folder', 'other', 30_000), logger });
    expect(await other.foldOnce()).toBe(2);
    await other.foldOnce();
    await other.stop();
    expect(await pendingCount(h)).toBe(0);
    expect((await repo.countCompleted([track])).get(track)).toBe(1);
    const recent = await repo.recentlyPlayed(c.userId, 10);
    expect(recent).toEqual([{ ticketId: c.ticketId, trackId: track, playedAt: t0, completed: true }]);
    h.stream.folder.start();
  });

  it('a play served again by another replica (or after a restart) once folded records no step and publishes no event again', async () => {
    const { mongodbUrl } = infraEnv();
    // Replica B: its own connection, repository and tracker on the same database.
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: h.dbName, retryWrites: false }).asPromise();
    /** A tracker whose writes are kept, to await what they answered (true: a step was recorded). */
    const tracker = (repo: MongoPlayRepository) => {
      const writes: Array<Promise<boolean>> = [];
      const keep = (p: Promise<boolean>) => (writes.push(p), p);
      const t = new PlayTracker(
        { markStarted: (c, now) => keep(repo.markStarted(c, now)), markCompleted: (c, now) => keep(repo.markCompleted(c, now)) },
        logger,
      );
      return { served: t.served.bind(t), answers: () => Promise.all(writes) };
    };
    try {
      const track = `t-${randomUUID()}`;
      const c = claims(track);
      const file = { trackId: track, path: '/x', size: 1_000, mtimeMs: 0, mimeType: 'audio/wav', durationSeconds: 100 };
      const history = playModel(h.stream.conn);
      const a = tracker(repository(h));
      a.served(c, file, 0, 1_000);
      expect(await a.answers()).toEqual([true, true]);
      // Folded and published: the steps left the pending log for the history.
      await waitFor(async () => (await pendingCount(h)) === 0 && (await h.stream.relay.backlog()) === 0, 20_000, 100, 'the steps to be folded');
      expect(await history.countDocuments({ ticketId: c.ticketId })).toBe(2);
      const published = h.stream.relay.published;

      // The router sends the next Range request of the same ticket to replica B (or A restarted).
      const b = tracker(new MongoPlayRepository(playStatsModels(conn), () => undefined));
      b.served(c, file, 0, 1_000);
      expect(await b.answers()).toEqual([false, false]);
      expect(await pendingCount(h)).toBe(0);
      expect(h.stream.relay.published).toBe(published);
      expect((await repository(h).countCompleted([track])).get(track)).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('keeps a user’s newest 100 plays, newest first, and counts plays of every user per track', async () => {
    const repo = repository(h);
    const user = `u-${randomUUID()}`;
    const track = `t-${randomUUID()}`;
    const base = Date.now() - 200_000;
    for (let i = 0; i < 105; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, 105 - i) }, async (_, j) => {
          const c = claims(track, user);
          await repo.markStarted(c, new Date(base + (i + j) * 1_000));
          if ((i + j) % 2 === 0) await repo.markCompleted(c, new Date(base + (i + j) * 1_000 + 500));
        }),
      );
    }
    await repo.markCompleted(claims(track), new Date());
    await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the pending log to drain');
    expect((await repo.countCompleted([track, 'never-played'])).get(track)).toBe(53 + 1);
    const recent = await repo.recentlyPlayed(user, 100);
    expect(recent).toHaveLength(100);
    expect(recent[0]?.playedAt.getTime()).toBe(base + 104_000);
    expect(recent[99]?.playedAt.getTime()).toBe(base + 5_000);
    expect(recent.map((p) => p.completed).slice(0, 4)).toEqual([true, false, true, false]);
  });

  it('reads by _id only: the same commands whatever the size of the history', async () => {
    const { mongodbUrl } = infraEnv();
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: h.dbName, monitorCommands: true, retryWrites: false }).asPromise();
    const commands: Array<{ name: string; collection: unknown; filter: unknown }> = [];
    const returned: number[] = [];
    conn.getClient().on('commandStarted', (e) => {
      const cmd = e.command as Record<string, unknown>;
      if (['find', 'aggregate', 'count'].includes(e.commandName)) commands.push({ name: e.commandName, collection: cmd[e.commandName], filter: cmd.filter });
    });
    conn.getClient().on('commandSucceeded', (e) => {
      const batch = (e.reply as { cursor?: { firstBatch?: unknown[] } }).cursor?.firstBatch;
      if (e.commandName === 'find' && batch) returned.push(batch.length);
    });
    try {
      // The store path (a replica whose PlayCountView is not loaded yet).
      const repo = new MongoPlayRepository(playStatsModels(conn));
      const user = `u-${randomUUID()}`;
      const tracks = Array.from({ length: 50 }, (_, i) => `page-${randomUUID()}-${i}`);
      const writer = repository(h);
      for (const track of tracks) await writer.markCompleted(claims(track, user), new Date());
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the pending log to drain');
      const read = async () => {
        commands.length = 0;
        returned.length = 0;
        await repo.countCompleted(tracks);
        await repo.recentlyPlayed(user, 50);
        return { commands: [...commands].sort((a, b) => JSON.stringify(a.filter).localeCompare(JSON.stringify(b.filter))), returned: [...returned] };
      };
      const small = await read();
      // 3,000 more plays of those tracks in the history (as a year of use leaves it).
      const history = playModel(conn).collection;
      for (let i = 0; i < 3_000; i += 1_000) {
        await history.insertMany(
          Array.from({ length: 1_000 }, (_, j) => ({
            _id: `completed:bulk-${randomUUID()}` as never,
            kind: 'completed',
            ticketId: `bulk-${i + j}`,
            userId: user,
            trackId: tracks[(i + j) % 50] as string,
            at: new Date(),
          })),
        );
      }
      const large = await read();
      expect(large).toEqual(small);
      // Every read is exactly `{ _id: <string> }`: the only filter FerretDB 1.24 answers with an
      // index seek (infra's id index; infra.test.ts checks the plan). `$in` would read every counter.
      expect(large.commands).toEqual(
        [
          ...tracks.map((t) => ({ name: 'find', collection: 'play_counts', filter: { _id: t } })),
          { name: 'find', collection: 'recent_plays', filter: { _id: user } },
        ].sort((a, b) => JSON.stringify(a.filter).localeCompare(JSON.stringify(b.filter))),
      );
      // Documents read: one counter per track of the page, one recent list.
      expect(large.returned).toEqual(Array.from({ length: 51 }, () => 1));
    } finally {
      await conn.close();
    }
  });

  it('every replica’s PlayCountView follows the folded counters: no store read per request, a replayed step counted once, a replica behind the feed reloads', async () => {
    const { mongodbUrl } = infraEnv();
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: h.dbName, monitorCommands: true, retryWrites: false }).asPromise();
    const filters: unknown[] = [];
    conn.getClient().on('commandStarted', (e) => {
      if (e.commandName === 'find') filters.push((e.command as Record<string, unknown>).filter);
    });
    const changes = conn.collection('play_count_changes');
    // Another replica: its own connection and view (stepped by hand here; `start()` polls every 250 ms).
    const other = new PlayCountView({ models: playStatsModels(conn), changes, logger });
    const count = (track: string) => other.get([track])?.get(track);
    try {
      const writer = repository(h);
      const track = `t-${randomUUID()}`;
      const c = claims(track);
      await writer.markCompleted(c, new Date());
      await writer.markCompleted(claims(track), new Date());
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the pending log to drain');
      await other.refresh();
      expect(count(track)).toBe(2);
      // This replica's own view (the composition's, polling) gets there too.
      await waitFor(() => h.stream.playCounts.get([track])?.get(track) === 2, 10_000, 50, 'the polling view to see both plays');

      // A step replayed after it was folded (the repository finds it in the history and records nothing; a
      // fold racing that read leaves it pending again): folded, counted once (in the store and in every view).
      expect(await writer.markCompleted(c, new Date())).toBe(false);
      await playStatsModels(h.stream.conn).pending.collection.insertOne({
        _id: `completed:${c.ticketId}` as never,
        kind: 'completed',
        ticketId: c.ticketId,
        userId: c.userId,
        trackId: track,
        at: new Date(),
      });
      h.stream.folder.notify();
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the replayed step to be folded');
      await other.refresh();
      expect(count(track)).toBe(2);

      // Reading a page from the view asks the store nothing; a poll is reads by `_id` only.
      filters.length = 0;
      expect(other.get([track, 'never-played'])).toEqual(new Map([[track, 2]]));
      expect(filters).toEqual([]);
      await writer.markCompleted(claims(track), new Date());
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the third play to be folded');
      await other.refresh();
      expect(count(track)).toBe(3);
      expect(filters.length).toBeGreaterThanOrEqual(2);
      for (const f of filters) expect(Object.keys(f as object)).toEqual(['_id']);
      for (const f of filters) expect(typeof (f as { _id: unknown })._id).toBe('string');

      // A replica that fell behind the feed's retention (its changes deleted) reads every counter again.
      await writer.markCompleted(claims(track), new Date());
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the fourth play to be folded');
      await changes.deleteMany({ _id: { $ne: 'head' } } as never);
      await other.refresh();
      expect(count(track)).toBe(4);

      // Counters rewritten behind the folder (a restore, a bulk import) and announced: views read them again.
      await playStatsModels(conn).counts.collection.updateOne({ _id: track as never }, { $set: { count: 40 } });
      await other.refresh();
      expect(count(track)).toBe(4); // not announced: the view cannot know
      await announcePlayCountsRewritten(changes);
      await other.refresh();
      expect(count(track)).toBe(40);
      await waitFor(() => h.stream.playCounts.get([track])?.get(track) === 40, 10_000, 50, 'the polling view to reload');
    } finally {
      await conn.close();
    }
  });

  it('a fold that crashed between writing a counter and announcing it is announced when its steps are folded again: views need no periodic reload', async () => {
    const { mongodbUrl } = infraEnv();
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: h.dbName, monitorCommands: true, retryWrites: false }).asPromise();
    const counterReads: unknown[] = [];
    conn.getClient().on('commandStarted', (e) => {
      const cmd = e.command as Record<string, unknown>;
      if (e.commandName === 'find' && cmd.find === 'play_counts') counterReads.push(cmd.filter);
    });
    const stats = playStatsModels(conn);
    const view = new PlayCountView({ models: stats, changes: conn.collection('play_count_changes'), logger });
    await h.stream.folder.stop();
    try {
      await view.refresh();
      const track = `t-${randomUUID()}`;
      const c = claims(track);
      // What a folder leaves when it dies after the counter's write, before its announcement:
      // the step in the history and in the counter's guard, still pending.
      const step = { _id: `completed:${c.ticketId}`, kind: 'completed', ticketId: c.ticketId, userId: c.userId, trackId: track, at: new Date() };
      await stats.pending.collection.insertOne(step as never);
      await playModel(conn).collection.insertOne(step as never);
      await stats.counts.collection.insertOne({ _id: track as never, count: 1, applied: [step._id] });
      await view.refresh();
      expect(view.get([track])?.get(track)).toBeUndefined();

      counterReads.length = 0;
      const next = new PlayFolder({
        models: stats,
        history: playModel(conn),
        lease: new Lease(stats.leases, 'play-folder', `next-${randomUUID()}`, 30_000),
        logger,
        feed: new PlayCountFeed(conn.collection('play_count_changes')),
      });
      await next.foldOnce();
      await next.stop();
      expect(await pendingCount(h)).toBe(0);
      await view.refresh();
      expect(view.get([track])?.get(track)).toBe(1);
      // Counted once, and the view read no counter but by `_id` (the folder's): no reload.
      expect((await stats.counts.collection.findOne({ _id: track as never }))?.count).toBe(1);
      for (const f of counterReads) expect(Object.keys(f as object)).toEqual(['_id']);
    } finally {
      h.stream.folder.start();
      await conn.close();
    }
  });

  it('recent plays come from each replica’s memory after the first read, and a folded play reaches every replica through the feed', async () => {
    const { mongodbUrl } = infraEnv();
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: h.dbName, monitorCommands: true, retryWrites: false }).asPromise();
    let listReads = 0;
    conn.getClient().on('commandStarted', (e) => {
      if (e.commandName === 'find' && (e.command as Record<string, unknown>).find === 'recent_plays') listReads += 1;
    });
    // Another replica: its own connection, view and repository (the view stepped by hand).
    const view = new PlayCountView({ models: playStatsModels(conn), changes: conn.collection('play_count_changes'), logger });
    const other = new MongoPlayRepository(playStatsModels(conn), undefined, view);
    try {
      await view.refresh();
      const writer = repository(h);
      const user = `u-${randomUUID()}`;
      const first = claims(`t-${randomUUID()}`, user);
      await writer.markStarted(first, new Date(Date.now() - 2_000));
      await writer.markCompleted(first, new Date(Date.now() - 1_000));
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the first play to be folded');
      await view.refresh();

      const once = await other.recentlyPlayed(user, 10);
      expect(once.map((p) => [p.ticketId, p.completed])).toEqual([[first.ticketId, true]]);
      expect(listReads).toBe(1);
      expect(await other.recentlyPlayed(user, 10)).toEqual(once);
      expect(listReads).toBe(1); // from memory

      const second = claims(`t-${randomUUID()}`, user);
      await writer.markStarted(second, new Date());
      await waitFor(async () => (await pendingCount(h)) === 0, 30_000, 100, 'the second play to be folded');
      await view.refresh();
      const after = await other.recentlyPlayed(user, 10);
      expect(after.map((p) => [p.ticketId, p.completed])).toEqual([
        [second.ticketId, false],
        [first.ticketId, true],
      ]);
      expect(listReads).toBe(2); // the feed named the user: read again, once
      expect(await other.recentlyPlayed(user, 1)).toEqual(after.slice(0, 1));
      expect(listReads).toBe(2);
    } finally {
      await conn.close();
    }
  });

  it('one replica folds at a time: a lease is taken by insert, renewed by its holder, taken over once expired', async () => {
    const { leases } = playStatsModels(h.stream.conn);
    let now = Date.now();
    const job = `job-${randomUUID()}`;
    const a = new Lease(leases, job, 'a', 10_000, () => now);
    const b = new Lease(leases, job, 'b', 10_000, () => now);
    const [ra, rb] = await Promise.all([a.hold(1_000), b.hold(1_000)]);
    expect([ra, rb].filter(Boolean)).toHaveLength(1);
    const [holder, waiting] = ra ? [a, b] : [b, a];
    now += 6_000;
    expect(await holder.hold(1_000)).toBe(true); // renewed
    expect(await waiting.hold(1_000)).toBe(false);
    now += 5_000;
    expect(await waiting.hold(1_000)).toBe(false); // renewed 5 s ago for 10 s
    now += 6_000;
    expect(await waiting.hold(1_000)).toBe(true); // expired: taken over
    expect(await holder.hold(1_000)).toBe(false);
    await waiting.release();
    expect(await holder.hold(1_000)).toBe(true);
  });

  it('a holder whose renewal stalled while another replica took the lease over stops holding it (the renewal must match)', async () => {
    const { mongodbUrl } = infraEnv();
    // Two replicas, each with its own connection to the one database.
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: h.dbName, retryWrites: false }).asPromise();
    const stalledLeases = playStatsModels(conn).leases;
    const { leases } = playStatsModels(h.stream.conn);
    let now = Date.now();
    const job = `job-${randomUUID()}`;
    const a = new Lease(stalledLeases, job, 'a', 10_000, () => now);
    const b = new Lease(leases, job, 'b', 10_000, () => now);
    try {
      expect(await a.hold(1_000)).toBe(true);
      now += 6_000;
      // A's renewal read the lease (still A's) and then stalled (a GC pause, a slow store) before its update.
      let reachedUpdate!: () => void;
      const atUpdate = new Promise<void>((resolve) => (reachedUpdate = resolve));
      let resume!: () => void;
      const resumed = new Promise<void>((resolve) => (resume = resolve));
      const update = stalledLeases.updateOne.bind(stalledLeases);
      const spy = jest.spyOn(stalledLeases, 'updateOne').mockImplementationOnce(((...args: Parameters<typeof update>) => {
        reachedUpdate();
        return resumed.then(() => update(...args));
      }) as never);
      const renewal = a.hold(1_000);
      await atUpdate;
      // Meanwhile A's lease expired and B took it over.
      now += 5_000;
      expect(await b.hold(1_000)).toBe(true);
      resume();
      expect(await renewal).toBe(false);
      spy.mockRestore();
      // A no longer acts as the holder (it asks the store again and finds B), B still holds it.
      expect(await a.hold(1_000)).toBe(false);
      expect(await b.hold(1_000)).toBe(true);
      expect(await leases.findOne({ _id: job }).lean()).toMatchObject({ holder: 'b' });
    } finally {
      await conn.close();
    }
  });
});

describe('migration of an existing history (real FerretDB and Kafka)', () => {
  it('builds counters and recent lists from the plays once, and publishes events the history still carried', async () => {
    const dbName = uniqueName('stream_migration_test');
    const { mongodbUrl, kafkaBrokers } = infraEnv();
    const conn = await mongoose.createConnection(mongodbUrl, { dbName, retryWrites: false }).asPromise();
    const legacy = outboxEntry('ytm-stream', 'stream.play.completed', 'old-track', {
      __typename: 'Track',
      id: 'old-track',
      userId: 'old-user',
      ticketId: 'k3',
    });
    const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1_000);
    await conn.collection('plays').insertMany([
      { _id: 'started:k1' as never, kind: 'started', ticketId: 'k1', userId: 'old-user', trackId: 'old-track', at: at(1) },
      { _id: 'completed:k1' as never, kind: 'completed', ticketId: 'k1', userId: 'old-user', trackId: 'old-track', at: at(2), _outbox: [] },
      { _id: 'started:k2' as never, kind: 'started', ticketId: 'k2', userId: 'old-user', trackId: 'other-track', at: at(3) },
      { _id: 'started:k3' as never, kind: 'started', ticketId: 'k3', userId: 'old-user', trackId: 'old-track', at: at(4) },
      { _id: 'completed:k3' as never, kind: 'completed', ticketId: 'k3', userId: 'old-user', trackId: 'old-track', at: at(5), _outbox: [legacy] },
      { _id: 'completed:k4' as never, kind: 'completed', ticketId: 'k4', userId: 'someone', trackId: 'old-track', at: at(6) },
    ]);
    await conn.close();

    const events: Envelope[] = [];
    const consumer = startConsumer({
      kafka: createKafka({ brokers: kafkaBrokers, clientId: 'stream-migration-test', logger }),
      groupId: uniqueName('stream_migration_test'),
      topics: [TOPICS.stream],
      logger,
      fromBeginning: true,
      handle: async (e) => {
        events.push(e);
      },
    });
    const m = await startHarness({}, { dbName });
    try {
      const stats = playStatsModels(m.stream.conn);
      await waitFor(async () => (await stats.leases.exists({ _id: PLAY_STATS_MIGRATION })) !== null, 30_000, 100, 'the migration marker');
      const repo = repository(m);
      expect(Object.fromEntries(await repo.countCompleted(['old-track', 'other-track']))).toEqual({ 'old-track': 3 });
      expect(await repo.recentlyPlayed('old-user', 10)).toEqual([
        { ticketId: 'k3', trackId: 'old-track', playedAt: at(4), completed: true },
        { ticketId: 'k2', trackId: 'other-track', playedAt: at(3), completed: false },
        { ticketId: 'k1', trackId: 'old-track', playedAt: at(1), completed: true },
      ]);
      await waitFor(() => events.some((e) => e.id === legacy.id), 30_000, 100, 'the event the history carried');
      await waitFor(async () => (await pendingCount(m)) === 0, 20_000, 100, 'the moved event to leave the pending log');
      expect(await playModel(m.stream.conn).countDocuments({ '_outbox.0': { $exists: true } })).toBe(0);
      // Folding the moved step again counted nothing.
      expect((await repo.countCompleted(['old-track'])).get('old-track')).toBe(3);
    } finally {
      await consumer.stop();
      await m.close();
      const drop = await mongoose.createConnection(mongodbUrl, { dbName }).asPromise();
      await drop.db?.dropDatabase();
      await drop.close();
    }
  });
});
