import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { TicketQuota, ticketQuotaModel } from '../../src/persistence/ticket-quota.js';
import { ticketModel } from '../../src/persistence/ticket.model.js';
import { MongoTicketRepository } from '../../src/persistence/ticket.repository.js';

// Real FerretDB on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

const dbName = uniqueName('stream_ticket_reads_test');
let conn: Connection;
const filters: Array<{ command: string; filter: unknown }> = [];
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, monitorCommands: true, retryWrites: false }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    if (e.commandName === 'find' && cmd.find === 'tickets') filters.push({ command: 'find', filter: cmd.filter });
    if (e.commandName === 'update' && cmd.update === 'tickets')
      for (const u of cmd.updates as Array<{ q: unknown }>) filters.push({ command: 'update', filter: u.q });
  });
});
afterAll(async () => {
  await conn?.db?.dropDatabase().catch(() => undefined);
  await conn?.close();
});

describe('ticket revocation reads (real FerretDB)', () => {
  it('revoke and findRevoked read and write tickets by `_id` only (never `$in`, a scan on FerretDB)', async () => {
    const repo = new MongoTicketRepository(ticketModel(conn), new TicketQuota(ticketQuotaModel(conn)));
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
    expect(filters.length).toBeGreaterThanOrEqual(8);
    for (const { filter } of filters) {
      expect(Object.keys(filter as object)).toEqual(['_id']);
      expect(typeof (filter as { _id: unknown })._id).toBe('string');
    }
  });
});
