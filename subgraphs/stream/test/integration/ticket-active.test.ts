import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { HmacTicketSigner } from '../../src/crypto/ticket-signer.js';
import { DEFAULT_PLAN_RULES } from '../../src/domain/plan-rules.js';
import { PlaybackService } from '../../src/domain/playback.service.js';
import { startOfUtcDay } from '../../src/domain/ticket.js';
import { revokedSessionModel } from '../../src/persistence/revoked-session.model.js';
import { MongoSessionRevocations } from '../../src/persistence/revoked-session.repository.js';
import { TicketQuota, ticketQuotaModel } from '../../src/persistence/ticket-quota.js';
import { ticketModel } from '../../src/persistence/ticket.model.js';
import { MongoTicketRepository } from '../../src/persistence/ticket.repository.js';

// Real FerretDB on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(120_000);

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The repositories' longest ticket lifetime (TICKET_MAX_TTL_SECONDS). */
const MAX_LIFETIME = 2 * HOUR;

const dbName = uniqueName('stream_ticket_active_test');
let a: Connection;
let b: Connection;
let ra: MongoTicketRepository;
let rb: MongoTicketRepository;
beforeAll(async () => {
  const { mongodbUrl } = infraEnv();
  // Two connections: two stream replicas sharing one database.
  [a, b] = await Promise.all([mongoose.createConnection(mongodbUrl, { dbName }).asPromise(), mongoose.createConnection(mongodbUrl, { dbName }).asPromise()]);
  ra = new MongoTicketRepository(ticketModel(a), new TicketQuota(ticketQuotaModel(a)), MAX_LIFETIME);
  rb = new MongoTicketRepository(ticketModel(b), new TicketQuota(ticketQuotaModel(b)), MAX_LIFETIME);
});
afterAll(async () => {
  await a?.db?.dropDatabase().catch(() => undefined);
  await Promise.all([a?.close(), b?.close()]);
});

/** Stores a ticket the way PlaybackService does (its quota slot on the day it is issued, no daily limit). */
async function issue(repo: MongoTicketRepository, userId: string, issuedAt: Date, lifetimeMs: number, o: { id?: string; session?: string } = {}) {
  const id = o.id ?? randomUUID();
  const ticket = { id, userId, sessionId: o.session ?? 's1', trackId: 't', issuedAt, expiresAt: new Date(issuedAt.getTime() + lifetimeMs) };
  expect(await repo.create(ticket, startOfUtcDay(issuedAt), null)).toBe(true);
  return id;
}

/** What listActive answered before it read by `_id`: a filter on the whole collection (the oracle). */
async function scanActive(userId: string, now: Date): Promise<string[]> {
  const docs = await ticketModel(a)
    .find({ userId, revokedAt: null, expiresAt: { $gt: now } }, { _id: 1 })
    .sort({ issuedAt: -1, _id: -1 })
    .lean<Array<{ _id: string }>>();
  return docs.map((d) => d._id);
}

const listed = async (repo: MongoTicketRepository, userId: string, now: Date) => (await repo.listActive(userId, now)).map((t) => t.id);

describe('a user’s open tickets, read through their quota slots (real FerretDB)', () => {
  it('listActive: exactly the unrevoked, unexpired tickets, newest first, across midnight, with revoked, expired and missing ones mixed in', async () => {
    const user = `u-${randomUUID()}`;
    const t = (iso: string) => new Date(`2026-12-${iso}Z`);
    const now = t('07T00:30:00');
    // 6 December: the walk reaches back to 22:25 (now − 2 h − the 5 min slack), so yesterday's slots are read.
    const expiredLongAgo = await issue(ra, user, t('06T21:00:00'), 2 * HOUR);
    const oldest = await issue(rb, user, t('06T22:40:00'), 2 * HOUR); // open until 00:40
    const revoked = await issue(ra, user, t('06T23:00:00'), 2 * HOUR);
    const expired = await issue(rb, user, t('06T23:30:00'), 40 * MIN);
    const lastOfDay = await issue(ra, user, t('06T23:59:59.999'), HOUR);
    // A slot taken after lastOfDay's with an earlier issuedAt (a request slower between its clock and its slot).
    const late = await issue(rb, user, t('06T23:10:00'), 2 * HOUR);
    // 7 December.
    const firstOfDay = await issue(ra, user, t('07T00:00:00'), 90 * MIN);
    // A slot whose ticket was never stored (its insert failed after the slot was taken).
    expect(await new TicketQuota(ticketQuotaModel(b)).take(user, t('07T00:00:00'), 'never-stored', null, t('07T00:05:00'), t('07T00:50:00'))).toBe(true);
    const expiredToday = await issue(rb, user, t('07T00:10:00'), 10 * MIN);
    const tieA = await issue(ra, user, t('07T00:20:00'), HOUR, { id: `tie-a-${randomUUID()}` });
    const tieB = await issue(rb, user, t('07T00:20:00'), HOUR, { id: `tie-b-${randomUUID()}` });
    const newest = await issue(ra, user, t('07T00:25:00'), HOUR, { session: 's2' });
    // Another user's open ticket of the same minutes.
    const other = await issue(rb, `u-${randomUUID()}`, t('07T00:15:00'), HOUR);
    expect(await ra.revoke([revoked], t('07T00:01:00'))).toEqual([revoked]);

    const expected = [newest, tieB, tieA, firstOfDay, lastOfDay, late, oldest];
    expect(await listed(ra, user, now)).toEqual(expected);
    expect(await listed(rb, user, now)).toEqual(expected);
    expect(await scanActive(user, now)).toEqual(expected);
    for (const id of [expiredLongAgo, revoked, expired, expiredToday, other]) expect(expected).not.toContain(id);

    // Later the same night: the tickets of 6 December have expired (the walk still reads back to 23:10).
    const later = t('07T01:15:00');
    expect(await listed(rb, user, later)).toEqual([newest, tieB, tieA, firstOfDay]);
    expect(await scanActive(user, later)).toEqual([newest, tieB, tieA, firstOfDay]);
    expect(await listed(ra, user, t('07T03:00:00'))).toEqual([]);
  });

  it('listActive: a long ticket behind many short ones is found (the walk reads as many slots as the window holds)', async () => {
    const user = `u-${randomUUID()}`;
    const start = new Date('2026-12-08T10:01:00Z');
    const now = new Date('2026-12-08T12:00:00Z');
    const long = await issue(ra, user, start, 2 * HOUR); // open until 12:01
    const short: string[] = [];
    for (let i = 1; i <= 40; i++) short.push(await issue(i % 2 ? rb : ra, user, new Date(start.getTime() + i * 2 * MIN), MIN));
    const recent = await issue(rb, user, new Date('2026-12-08T11:59:30Z'), 5 * MIN);
    expect(await listed(ra, user, now)).toEqual([recent, long]);
    expect(await scanActive(user, now)).toEqual([recent, long]);
  });

  it('the concurrent-stream limit holds with two replicas issuing at once', async () => {
    const service = (conn: Connection, repo: MongoTicketRepository, key: Buffer) =>
      new PlaybackService({
        tickets: repo,
        plays: { recentlyPlayed: async () => [], countCompleted: async () => new Map() },
        sessions: new MongoSessionRevocations(revokedSessionModel(conn)),
        trackFiles: { get: async (trackId) => ({ trackId, path: '/x', size: 1000, mimeType: 'audio/flac', mtimeMs: 0, durationSeconds: 200 }) },
        signer: new HmacTicketSigner(key),
        clock: { now: () => new Date() },
        rules: DEFAULT_PLAN_RULES,
        publicUrl: 'http://public.invalid',
        marginSeconds: 300,
        maxTtlSeconds: MAX_LIFETIME / 1000,
      });
    const key = randomBytes(32);
    const replicas = [service(a, ra, key), service(b, rb, key)];
    for (const tier of ['PREMIUM', 'FREE'] as const) {
      const caller = { id: `u-${randomUUID()}`, sessionId: 's1', plan: { tier } };
      const max = DEFAULT_PLAN_RULES[tier].maxConcurrentStreams;
      await Promise.all(Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.requestPlayback(caller, `track-${i}`)));
      const now = new Date();
      // The newest `max` of all ten stay open, the rest were revoked, as either replica sees it.
      const all = await ticketModel(a).find({ userId: caller.id }, { _id: 1 }).sort({ issuedAt: -1, _id: -1 }).lean<Array<{ _id: string }>>();
      expect(all).toHaveLength(10);
      const newest = all.slice(0, max).map((d) => d._id);
      expect(await listed(ra, caller.id, now)).toEqual(newest);
      expect(await listed(rb, caller.id, now)).toEqual(newest);
      expect(await scanActive(caller.id, now)).toEqual(newest);
      expect(await ra.findRevoked(all.map((d) => d._id))).toHaveLength(10 - max);
    }
  });

  it('revokeForUser: one session’s open tickets, then all the user’s, and nothing else', async () => {
    const user = `u-${randomUUID()}`;
    const other = `u-${randomUUID()}`;
    const now = new Date('2026-12-09T00:20:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const s1Open = [await issue(ra, user, ago(90 * MIN), 2 * HOUR, { session: 's1' }), await issue(rb, user, ago(5 * MIN), HOUR, { session: 's1' })];
    const s1Expired = await issue(ra, user, ago(30 * MIN), 10 * MIN, { session: 's1' });
    const s1Revoked = await issue(rb, user, ago(10 * MIN), HOUR, { session: 's1' });
    const s2Open = [await issue(ra, user, ago(50 * MIN), HOUR, { session: 's2' }), await issue(rb, user, ago(MIN), HOUR, { session: 's2' })];
    const otherOpen = await issue(ra, other, ago(MIN), HOUR, { session: 's1' });
    await rb.revoke([s1Revoked], ago(9 * MIN));

    expect((await ra.revokeForUser(user, 's1', now)).sort()).toEqual([...s1Open].sort());
    expect((await rb.findRevoked([...s1Open, s1Expired, s1Revoked, ...s2Open, otherOpen])).sort()).toEqual([...s1Open, s1Revoked].sort());
    expect(await listed(rb, user, now)).toEqual([s2Open[1], s2Open[0]]);
    expect(await rb.revokeForUser(user, 's1', now)).toEqual([]);

    expect((await rb.revokeForUser(user, undefined, now)).sort()).toEqual([...s2Open].sort());
    expect(await listed(ra, user, now)).toEqual([]);
    expect(await scanActive(user, now)).toEqual([]);
    // The expired one was not touched, nor the other user's.
    expect(await ra.findRevocation(s1Expired)).toEqual({ revokedAt: null });
    expect(await ra.findRevocation(otherOpen)).toEqual({ revokedAt: null });
    expect(await listed(ra, other, now)).toEqual([otherOpen]);
  });
});
