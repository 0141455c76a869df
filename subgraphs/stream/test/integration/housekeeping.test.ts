import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { playModel } from '../../src/persistence/play.model.js';
import { revokedSessionModel } from '../../src/persistence/revoked-session.model.js';
import { ticketQuotaModel } from '../../src/persistence/ticket-quota.js';
import { ticketModel } from '../../src/persistence/ticket.model.js';
import { StreamHousekeeping } from '../../src/persistence/housekeeping.js';
import { startHarness, type Harness } from '../support/stream-harness.js';

jest.setTimeout(60_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3_600_000;

describe('housekeeping (real FerretDB)', () => {
  it('deletes tickets expired beyond the retention and sessions whose tokens expired; keeps everything else', async () => {
    const tickets = ticketModel(h.stream.conn);
    const sessions = revokedSessionModel(h.stream.conn);
    const now = new Date();
    const at = (hours: number) => new Date(now.getTime() + hours * HOUR);
    const ticket = (id: string, expiresInHours: number) => ({
      _id: id as never,
      userId: 'u-prune',
      sessionId: 's',
      trackId: 't',
      issuedAt: at(expiresInHours - 1),
      expiresAt: at(expiresInHours),
      revokedAt: null,
    });
    await tickets.collection.insertMany([ticket('old-1', -72), ticket('old-2', -49), ticket('recent', -47), ticket('today', -0.5), ticket('live', 1)]);
    await sessions.collection.insertMany([
      { _id: 'gone' as never, until: at(-1) },
      { _id: 'still-revoked' as never, until: at(1) },
    ]);

    // The daily quota's slots and hint: those written over TICKET_RETENTION_HOURS (48) ago go; today's stay, and so do
    // yesterday's (the retention is more than the longest ticket lifetime plus 5 minutes, so a slot that may still name
    // an open ticket is never deleted).
    const quota = ticketQuotaModel(h.stream.conn);
    await quota.collection.insertMany([
      { _id: 'u-prune:old-day:1' as never, ticketId: 'old-1', at: at(-73) },
      { _id: 'u-prune:old-day' as never, n: 1, at: at(-73) },
      { _id: 'u-prune:yesterday:1' as never, ticketId: 'recent', at: at(-47) },
      { _id: 'u-prune:today:1' as never, ticketId: 'today', at: at(-1.5) },
      { _id: 'u-prune:today' as never, n: 1, at: at(-1.5) },
    ]);

    const plays = playModel(h.stream.conn);
    const play = (id: string, daysAgo: number) => ({
      _id: id as never,
      kind: 'completed',
      ticketId: id,
      userId: 'u-prune',
      trackId: 't',
      at: at(-24 * daysAgo),
    });
    await plays.collection.insertMany([play('ancient', 400), play('old-play', 181), play('kept-play', 179), play('new-play', 0)]);

    expect(await h.stream.housekeeping.prune(now)).toEqual({ tickets: 2, quota: 2, revokedSessions: 1, plays: 2 });
    expect((await quota.find({ _id: { $regex: '^u-prune:' } }, { _id: 1 }).lean()).map((d) => d._id).sort()).toEqual([
      'u-prune:today',
      'u-prune:today:1',
      'u-prune:yesterday:1',
    ]);
    expect((await plays.find({ userId: 'u-prune' }, { _id: 1 }).lean()).map((d) => d._id).sort()).toEqual(['kept-play', 'new-play']);
    const left = await tickets.find({ userId: 'u-prune' }, { _id: 1 }).lean();
    expect(left.map((d) => d._id).sort()).toEqual(['live', 'recent', 'today']);
    expect((await sessions.find({}, { _id: 1 }).lean()).map((d) => d._id)).toEqual(['still-revoked']);
    // Idempotent: another replica pruning at the same time deletes nothing more.
    expect(await h.stream.housekeeping.prune(now)).toEqual({ tickets: 0, quota: 0, revokedSessions: 0, plays: 0 });
  });

  it('refuses a retention that would let the daily quota forget today’s tickets or the slots of open tickets, or a play history shorter than a ticket’s life', () => {
    const models = {
      tickets: ticketModel(h.stream.conn),
      quota: ticketQuotaModel(h.stream.conn),
      revokedSessions: revokedSessionModel(h.stream.conn),
      plays: playModel(h.stream.conn),
    };
    const lifetime = 6 * HOUR;
    expect(() => new StreamHousekeeping({ ...models, ticketRetentionMs: 24 * HOUR, ticketMaxLifetimeMs: lifetime, playRetentionMs: 30 * 24 * HOUR })).toThrow(
      /exceed a day/,
    );
    expect(() => new StreamHousekeeping({ ...models, ticketRetentionMs: 48 * HOUR, ticketMaxLifetimeMs: lifetime, playRetentionMs: 7 * 24 * HOUR })).toThrow(
      /at least 8 days/,
    );
    // A user's open tickets are found through the quota slots taken within the longest ticket lifetime plus 5 minutes.
    expect(
      () => new StreamHousekeeping({ ...models, ticketRetentionMs: 48 * HOUR, ticketMaxLifetimeMs: 7 * 24 * HOUR, playRetentionMs: 30 * 24 * HOUR }),
    ).toThrow(/TICKET_RETENTION_HOURS, 48 h\) must cover the longest ticket lifetime \(TICKET_MAX_TTL_SECONDS, 604800 s\) plus 5 minutes/);
    expect(
      () => new StreamHousekeeping({ ...models, ticketRetentionMs: 48 * HOUR, ticketMaxLifetimeMs: 48 * HOUR - 4 * 60_000, playRetentionMs: 30 * 24 * HOUR }),
    ).toThrow(/must cover the longest ticket lifetime/);
    expect(
      () => new StreamHousekeeping({ ...models, ticketRetentionMs: 48 * HOUR, ticketMaxLifetimeMs: 48 * HOUR - 5 * 60_000, playRetentionMs: 30 * 24 * HOUR }),
    ).not.toThrow();
  });
});
