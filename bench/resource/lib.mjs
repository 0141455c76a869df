// Shared by the resource benchmarks: start ytm-resource (dist) as its own process, time things.
import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServiceProcess } from '../service-process.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MONGODB_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export function arg(name, fallback) {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

export { freePort };

/** Starts subgraphs/resource/dist/main.js on free ports with a database of its own. */
export async function startResource(env = {}) {
  const port = await freePort();
  const grpcPort = await freePort();
  const db = `bench_resource_${randomUUID().slice(0, 8)}`;
  const url = `http://127.0.0.1:${port}`;
  const service = await startServiceProcess({
    name: 'resource',
    script: join(ROOT, 'subgraphs/resource/dist/main.js'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      MONGODB_URL,
      MONGODB_DB: db,
      KAFKA_BROKERS,
      KAFKA_GROUP_ID: db,
      REGISTRY_URL: '127.0.0.1:1',
      ...env,
    },
  });
  // --nice=N runs the service at that priority (e.g. -5 on a machine others load too). Only the
  // process's main thread is reniced by this; its bcrypt workers renice themselves to 19 anyway.
  const nice = arg('nice', undefined);
  if (nice !== undefined) setPriority(service.pid, Number(nice));
  return { url, port, db, stop: service.stop };
}

export async function gql(url, query, variables = {}, token, headers = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

export function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const pct = (p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
  return { n: s.length, p50: pct(50), p95: pct(95), p99: pct(99), max: s[s.length - 1] ?? NaN };
}

export const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

/** Drops the benchmark's database afterwards. */
export async function dropDatabase(db) {
  const { default: mongoose } = await import(join(ROOT, 'node_modules/mongoose/index.js'));
  const conn = await mongoose.createConnection(MONGODB_URL, { dbName: db }).asPromise();
  await conn.db.dropDatabase();
  await conn.close();
}
