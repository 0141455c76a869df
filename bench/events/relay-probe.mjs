// Probe (issue 20): how long an event waits in the outbox before the relay has published it, as the
// collection holding the outboxes grows — the writer naming the document it wrote (the relay reads
// it by `_id`, how resource's repositories notify) beside an unnamed notify (the relay scans the
// collection for `_outbox`, which FerretDB answers by reading every document: how every write
// notified before). Real FerretDB and Kafka: `npm run infra -- up`, then
//   MONGODB_URL=… KAFKA_BROKERS=… node bench/events/relay-probe.mjs     # SIZES=1000,10000,50000 SAMPLES=20
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import mongoose from 'mongoose';
import { createLogger } from '../../packages/logger/dist/index.js';
import { createKafka, EventPublisher, OUTBOX_FIELD, OutboxRelay, outboxEntry } from '../../packages/events/dist/index.js';

const SIZES = (process.env.SIZES ?? '1000,10000,50000').split(',').map(Number);
const SAMPLES = Number(process.env.SAMPLES ?? 20);
const { MONGODB_URL: mongodbUrl, KAFKA_BROKERS: kafkaBrokers } = process.env;
if (!mongodbUrl || !kafkaBrokers) throw new Error('set MONGODB_URL and KAFKA_BROKERS (npm run infra -- up prints them)');

const logger = createLogger({ name: 'relay-probe', level: 'silent' });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const conn = await mongoose.createConnection(mongodbUrl, { dbName: `relayprobe${randomUUID().slice(0, 8)}` }).asPromise();
const publisher = new EventPublisher(createKafka({ brokers: kafkaBrokers.split(','), clientId: 'relay-probe', logger }));
const collection = conn.collection('users');
// Polls far apart: only the writes' notifications make the relay work during a measurement.
const relay = new OutboxRelay({ collections: [collection], publisher, logger, pollIntervalMs: 600_000, maxIdleIntervalMs: 600_000 });
relay.start();

/** Milliseconds from the write to the relay having published its event. */
async function once(named) {
  const id = randomUUID();
  const before = relay.published;
  const t = performance.now();
  await collection.insertOne({
    _id: id,
    displayName: 'probe',
    [OUTBOX_FIELD]: [outboxEntry('resource', 'resource.user.password-changed', id, { __typename: 'User', id })],
  });
  if (named) relay.notify(collection.collectionName, id);
  else relay.notify();
  while (relay.published === before) await new Promise((r) => setImmediate(r));
  return performance.now() - t;
}

const rows = [];
let stored = 0;
try {
  await once(true); // Kafka connected, the start-up scan done
  for (const size of SIZES) {
    for (; stored < size; stored += 1000) {
      await collection.insertMany(
        Array.from({ length: Math.min(1000, size - stored) }, () => ({ _id: randomUUID(), displayName: 'listener', email: `${randomUUID()}@example.com` })),
      );
    }
    // Named first: an unnamed notify's scan is followed by another (events may be left behind a
    // batch), and a named write arriving meanwhile would wait for it.
    const named = [];
    for (let i = 0; i < SAMPLES; i++) named.push(await once(true));
    const scanned = [];
    for (let i = 0; i < SAMPLES; i++) scanned.push(await once(false));
    rows.push({ size, named, scanned, load: load() });
    console.log(`[relay-probe] ${size} documents: done (load ${load()})`);
  }
  console.log(`\nwrite → event published, ${SAMPLES} samples each (ms)`);
  console.log('documents | named (read by _id) p50 / p95 | unnamed (scan) p50 / p95 | load average');
  for (const r of rows) {
    console.log(
      `${String(r.size).padStart(9)} | ${pct(r.named, 50).toFixed(1).padStart(12)} / ${pct(r.named, 95).toFixed(1).padEnd(12)} | ${pct(r.scanned, 50).toFixed(1).padStart(10)} / ${pct(r.scanned, 95).toFixed(1).padEnd(10)} | ${r.load}`,
    );
  }
} finally {
  // The relay's stop waits for its current pause (here up to the 10 min poll): do not wait for it.
  void relay.stop();
  await publisher.close();
  await conn.db?.dropDatabase().catch(() => undefined);
  await conn.close();
}
process.exit(0);
