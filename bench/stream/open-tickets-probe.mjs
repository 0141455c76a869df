// The concurrent-stream rule's read — a user's open tickets (`listActive`, once per playback
// request; sign-out and plan changes read the same) — as it was (a filter on `tickets`, which
// FerretDB 1.x answers by reading every document) and as ytm-stream's persistence does it now
// (the user's newest quota slots, then their tickets, each by `_id`), while other users' tickets
// and slots grow to 1,000, 10,000 and 30,000. The listener has 45 tracks of 4 minutes in the
// last 3 hours (3 open). Both reads must give the same answer. Against a running FerretDB with
// infra's `_id` index: `node infra/infra.mjs up`, then
// npm run build && MONGODB_URL=mongodb://127.0.0.1:27017 node bench/stream/open-tickets-probe.mjs
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { default: mongoose } = await import(join(ROOT, 'node_modules/mongoose/index.js'));
const dist = (f) => import(join(ROOT, 'subgraphs/stream/dist', f));
const { TicketQuota, ticketQuotaModel } = await dist('persistence/ticket-quota.js');
const { ticketModel } = await dist('persistence/ticket.model.js');
const { MongoTicketRepository } = await dist('persistence/ticket.repository.js');
const { startOfUtcDay } = await dist('domain/ticket.js');

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const SIZES = (process.env.SIZES ?? '1000,10000,30000').split(',').map(Number);
const MAX_LIFETIME_MS = 6 * 3_600_000; // TICKET_MAX_TTL_SECONDS' default

const conn = await mongoose
  .createConnection(process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017', { dbName: `open_tickets_probe_${Date.now()}` })
  .asPromise();
try {
  const tickets = ticketModel(conn);
  const quota = ticketQuotaModel(conn);
  await Promise.all([tickets.init(), quota.init()]);
  const repo = new MongoTicketRepository(tickets, new TicketQuota(quota), MAX_LIFETIME_MS);
  const user = 'listener';
  const now = new Date();
  for (let i = 45; i >= 1; i--) {
    const issuedAt = new Date(now.getTime() - i * 4 * 60_000);
    const ticket = { id: randomUUID(), userId: user, sessionId: 's', trackId: 't', issuedAt, expiresAt: new Date(issuedAt.getTime() + 13 * 60_000) };
    await repo.create(ticket, startOfUtcDay(issuedAt), null);
  }
  const scan = () =>
    tickets
      .find({ userId: user, revokedAt: null, expiresAt: { $gt: now } })
      .sort({ issuedAt: -1, _id: -1 })
      .lean();
  const bySlots = () => repo.listActive(user, now);
  const pct = (xs, q) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const time = async (fn) => {
    const ms = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    return `p50 ${pct(ms, 0.5).toFixed(1).padStart(7)} ms   p95 ${pct(ms, 0.95).toFixed(1).padStart(7)} ms`;
  };
  let stored = 45;
  for (const size of SIZES) {
    while (stored < size) {
      const n = Math.min(5_000, size - stored);
      const ids = Array.from({ length: n }, (_, i) => ({ k: stored + i, id: randomUUID() }));
      await tickets.collection.insertMany(
        ids.map(({ k, id }) => {
          const issuedAt = new Date(now.getTime() - (k % 2880) * 60_000);
          return {
            _id: id,
            userId: `other-${k % 500}`,
            sessionId: 's',
            trackId: 't',
            issuedAt,
            expiresAt: new Date(issuedAt.getTime() + 9 * 60_000),
            revokedAt: null,
          };
        }),
      );
      await quota.collection.insertMany(ids.map(({ k, id }) => ({ _id: `other-${k % 500}:probe:${k}`, ticketId: id, at: now })));
      stored += n;
    }
    const [before, after] = [(await scan()).map((d) => d._id), (await bySlots()).map((t) => t.id)];
    if (JSON.stringify(before) !== JSON.stringify(after)) throw new Error(`different answers: ${before} / ${after}`);
    // Warm-up: the driver's pool opens its connections for the parallel slot reads once.
    for (let i = 0; i < 5; i++) await Promise.all([scan(), bySlots()]);
    console.log(
      `${stored} tickets stored (${after.length} open); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`  filter on tickets (before)   ${await time(scan)}`);
    console.log(`  by quota slots (now)         ${await time(bySlots)}`);
  }
  await conn.db.dropDatabase();
} finally {
  await conn.close();
}
