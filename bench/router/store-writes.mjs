// bench/router/store-writes.mjs: the store's own write latency, no service in between — a write by
// `_id` (findOneAndUpdate of a user-sized document, as resource's rename does) from 1 and from 20
// concurrent callers on one client, with the client's connections at 20 (the default) and at 4
// (MONGODB_MAX_POOL_SIZE=4: operations beyond wait for a connection, in order), and with 20 connections
// but at most 1 or 2 writes sent at a time (@ytm/mongo's WriteGate, which MONGODB_MAX_CONCURRENT_WRITES
// puts in front of a service's writes: the rest wait in arrival order, reads untouched).
// Run: node bench/router/store-writes.mjs   (starts infra; Env: DURATION_MS (6000))
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { WriteGate } from '@ytm/mongo';
import { up } from '../../infra/infra.mjs';

const require = createRequire(import.meta.url);
const { MongoClient } = require(require.resolve('mongodb', { paths: [require.resolve('mongoose')] }));
const DURATION_MS = Number(process.env.DURATION_MS ?? 6_000);
const DOCS = 40;

const infra = await up({ log: () => {} });
const rows = [];
/** At most `limit` calls of `fn` at a time (the services' gate), or any number. */
function gate(limit) {
  if (limit === Infinity) return (fn) => fn();
  const g = new WriteGate(limit, 60_000);
  return (fn) => g.run(fn);
}

for (const [callers, pool, gated] of [
  [1, 20, Infinity],
  [20, 20, Infinity],
  [20, 4, Infinity],
  [20, 20, 1],
  [20, 20, 2],
]) {
  const write = gate(gated);
  const client = await MongoClient.connect(infra.mongodbUrl, { maxPoolSize: pool, retryWrites: false });
  const db = client.db(`bench_store_writes_${process.pid}_${callers}_${pool}_${gated}`);
  const users = db.collection('users');
  await users.insertMany(
    Array.from({ length: DOCS }, (_, i) => ({
      _id: `u${i}`,
      email: `u${i}@bench.test`,
      displayName: 'x',
      passwordHash: 'h'.repeat(60),
      plan: { tier: 'FREE' },
    })),
  );
  const times = [];
  const end = Date.now() + DURATION_MS;
  let n = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < end) {
        const i = n++;
        const started = performance.now();
        await write(() =>
          users.findOneAndUpdate({ _id: `u${i % DOCS}` }, { $set: { displayName: `name ${i}`, updatedAt: new Date() } }, { returnDocument: 'after' }),
        );
        times.push(performance.now() - started);
      }
    }),
  );
  await db.dropDatabase();
  await client.close();
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(times.length * p))].toFixed(1);
  rows.push(
    `| ${callers} | ${pool} | ${gated === Infinity ? 'any' : gated} | ${(times.length / (DURATION_MS / 1000)).toFixed(0)} | ${q(0.5)} | ${q(0.99)} | ${q(1)} |`,
  );
  console.log(`${callers} callers, ${pool} connections, ${gated} writes at a time: done [load ${loadavg()[0].toFixed(1)}]`);
}
console.log(`\nwrites by _id to the store (${infra.mongodbUrl.replace(/\/\/[^@]*@/, '//')}), ${DURATION_MS / 1000} s each`);
console.log('| callers | connections | writes at a time | writes/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
