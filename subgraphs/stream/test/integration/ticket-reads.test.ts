import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { startOfUtcDay } from '../../src/domain/ticket.js';
import { TicketQuota, ticketQuotaModel } from '../../src/persistence/ticket-quota.js';
import { ticketModel } from '../../src/persistence/ticket.model.js';
import { MongoTicketRepository } from '../../src/persistence/ticket.repository.js';

// Real FerretDB on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

const dbName = uniqueName('stream_ticket_reads_test');
let conn: Connection;
const filters: Array<{ collection: string; command: string; filter: unknown }> = [];
/** Every other command the connection sends (an aggregate, a count, a delete would be a scan too). */
const others: string[] = [];
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, monitorCommands: true, retryWrites: false }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    if (e.commandName === 'find') filters.push({ collection: String(cmd.find), command: 'find', filter: cmd.filter });
    else if (e.commandName === 'update')
      for (const u of cmd.updates as Array<{ q: unknown }>) filters.push({ collection: String(cmd.update), command: 'update', filter: u.q });
    else others.push(e.commandName);
  });
});

const HOUR = 3_600_000;

/** Every recorded read and write named exactly one document: `{ _id: <string> }`, the only filter FerretDB 1.x answers by index. */
function expectByIdOnly(): void {
  for (const { filter } of filters) {
    expect(Object.keys(filter as object)).toEqual(['_id']);
    expect(typeof (filter as { _id: unknown })._id).toBe('string');
  }
}
afterAll(async () => {
  await conn?.db?.dropDatabase().catch(() => undefined);
  await conn?.close();
});

describe('ticket revocation reads (real FerretDB)', () => {
  it('revoke and findRevoked read and write tickets by `_id` only (never `$in`, a scan on FerretDB)', async () => {
    const repo = new MongoTicketRepository(ticketModel(conn), new TicketQuota(ticketQuotaModel(conn)), 6 * HOUR);
    const now = new Date();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      expect(await repo.create({ id, userId: 'u', sessionId: 's', trackId: 't', issuedAt: now, expiresAt: new Date(now.getTime() + 60_000) }, now, null)).toBe(
        true,
      );
    }
    filters.length = 0;
    expect((await repo.revoke([ids[0]!, ids[1]!, 'no-such-ticket'], now)).sort()).toEqual([ids[0], ids[1]].sort());
    expect(await repo.revoke([ids[0]!], now)).toEqual([]); // already revoked: not again
    expect((await repo.findRevoked(ids)).sort()).toEqual([ids[0], ids[1]].sort());
    expect(await repo.findRevocation(ids[2]!)).toEqual({ revokedAt: null });
    expect(filters.filter((f) => f.collection === 'tickets').length).toBeGreaterThanOrEqual(8);
    expectByIdOnly();
  });

  it('listActive and revokeForUser read by `_id` only, and send the same commands however many tickets the store holds', async () => {
    const tickets = ticketModel(conn);
    const repo = new MongoTicketRepository(tickets, new TicketQuota(ticketQuotaModel(conn)), 6 * HOUR);
    const user = `u-${randomUUID()}`;
    const now = new Date('2026-12-10T12:00:00Z');
    const issue = async (issuedAt: Date, sessionId: string) => {
      const id = randomUUID();
      const t = { id, userId: user, sessionId, trackId: 't', issuedAt, expiresAt: new Date(issuedAt.getTime() + HOUR) };
      expect(await repo.create(t, startOfUtcDay(issuedAt), null)).toBe(true);
      return id;
    };
    // The user's tickets of today: 2 open in session s1, 1 open in s2, 2 expired.
    const s1 = [await issue(new Date('2026-12-10T11:50:00Z'), 's1'), await issue(new Date('2026-12-10T11:40:00Z'), 's1')];
    const s2 = await issue(new Date('2026-12-10T11:30:00Z'), 's2');
    await issue(new Date('2026-12-10T10:30:00Z'), 's1');
    await issue(new Date('2026-12-10T09:00:00Z'), 's1');

    /** The commands one listActive sends, in a canonical form (the collection, the command, the `_id`). */
    const commandsOf = async (call: () => Promise<unknown>) => {
      filters.length = 0;
      others.length = 0;
      await call();
      expectByIdOnly();
      expect(others).toEqual([]);
      return filters.map((f) => `${f.collection} ${f.command} ${(f.filter as { _id: string })._id}`).sort();
    };
    const before = await commandsOf(async () => expect((await repo.listActive(user, now)).map((t) => t.id)).toEqual([s1[0], s1[1], s2]));
    // 1 count hint + 1 probe past the newest slot + 5 slots (one batch of 4, one of 1) + 3 open tickets (the expired ones'
    // slots say so: their tickets are not read).
    expect(before.filter((c) => c.startsWith('ticket_quota find'))).toHaveLength(7);
    expect(before.filter((c) => c.startsWith('tickets find'))).toHaveLength(3);

    // 600 more tickets: other users' open ones, and this user's of days long past.
    const other = (i: number, issuedAt: Date, userId: string) => ({
      _id: `bulk-${i}-${randomUUID()}` as never,
      userId,
      sessionId: 's1',
      trackId: 't',
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + HOUR),
      revokedAt: null,
    });
    await tickets.collection.insertMany([
      ...Array.from({ length: 400 }, (_, i) => other(i, new Date('2026-12-10T11:45:00Z'), `other-${i % 20}`)),
      ...Array.from({ length: 200 }, (_, i) => other(400 + i, new Date('2026-12-08T11:45:00Z'), user)),
    ]);
    expect(await commandsOf(() => repo.listActive(user, now))).toEqual(before);

    // Sign-out of s1: the same reads, then one update by `_id` per open ticket of the session.
    const signOut = await commandsOf(async () => expect((await repo.revokeForUser(user, 's1', now)).sort()).toEqual([...s1].sort()));
    expect(signOut).toEqual([...before, ...s1.map((id) => `tickets update ${id}`)].sort());
    expect(await repo.revokeForUser(user, undefined, now)).toEqual([s2]);
  });
});
