// Probe (issue 20): resource's credential reads through the router at a given number of users and
// sessions — signIn (users by email), refreshSession (sessions by refresh-token hash) and the
// admin's users page — beside `me` (a read by `_id`) as the anchor. See README.md.
import { createHash, randomUUID } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startSystem } from '../../scripts/system.mjs';

const USERS = Number(process.env.USERS ?? 10_000);
const SAMPLES = Number(process.env.SAMPLES ?? 20);
const PASSWORD = 'probe password 123';
const ADMIN = { email: 'probe-admin@example.com', password: 'probe admin password' };
const mongodbUrl = process.env.MONGODB_URL;
const kafkaBrokers = process.env.KAFKA_BROKERS;
if (!mongodbUrl || !kafkaBrokers) throw new Error('set MONGODB_URL and KAFKA_BROKERS (npm run infra -- up prints them)');

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const t0 = Date.now();
const log = (m) => console.log(`[bench/resource-reads ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const dbPrefix = `benchreads${randomUUID().slice(0, 8)}`;
const trustDir = mkdtempSync(join(tmpdir(), 'ytm-bench-reads-'));
const start = () =>
  startSystem({
    only: ['router', 'resource'],
    mongodbUrl,
    kafkaBrokers,
    ephemeral: true,
    dbPrefix,
    production: true,
    trustDir,
    env: { LOG_LEVEL: 'info', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    readyTimeoutMs: 300_000,
  });

async function gql(url, query, variables, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** p50/p95 of the answered requests, and how many failed (with the first error). */
async function timed(n, fn) {
  const ms = [];
  const errors = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    try {
      await fn(i);
      ms.push(performance.now() - s);
    } catch (err) {
      errors.push(`${err.message.slice(0, 120)} after ${(performance.now() - s).toFixed(0)} ms`);
    }
  }
  ms.sort((a, b) => a - b);
  const q = (p) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(1) : '–');
  return { p50: q(0.5), p95: q(0.95), failed: errors.length ? `${errors.length}/${n}: ${errors[0]}` : '0' };
}

const emailOf = (u) => `reader${u}@probe.example.com`;
const tokenOf = (u) => `rt_probe_${u}`;
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
let system;
const conn = await mongoose.createConnection(mongodbUrl, { dbName: `${dbPrefix}_resource`, retryWrites: false }).asPromise();
try {
  log(`USERS=${USERS} SAMPLES=${SAMPLES}; load average ${load()}`);
  system = await start();
  await gql(system.graphqlUrl, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
    i: { email: 'template@probe.example.com', password: PASSWORD, displayName: 'Template' },
  });
  const { passwordHash } = await conn.collection('users').findOne({ email: 'template@probe.example.com' });
  await system.stop();
  system = undefined;
  // Users and one live session each, written as an older version of resource wrote them: no lookup documents.
  const now = Date.now();
  for (let from = 0; from < USERS; from += 1000) {
    const users = [];
    const sessions = [];
    for (let u = from; u < Math.min(USERS, from + 1000); u++) {
      const id = randomUUID();
      const at = new Date(now - (USERS - u) * 1000);
      users.push({
        _id: id,
        email: emailOf(u),
        displayName: `Reader ${u}`,
        passwordHash,
        role: 'USER',
        plan: { tier: 'FREE', expiresAt: null },
        createdAt: at,
        updatedAt: at,
      });
      const exp = new Date(now + 86_400_000);
      sessions.push({
        _id: randomUUID(),
        userId: id,
        refreshHash: sha256(tokenOf(u)),
        spentHashes: [],
        createdAt: at,
        lastUsedAt: at,
        expiresAt: exp,
        revokedAt: null,
        revokedReason: null,
      });
    }
    await conn.collection('users').insertMany(users, { ordered: false });
    await conn.collection('sessions').insertMany(sessions, { ordered: false });
  }
  log(`seeded ${USERS} users and ${USERS} sessions; starting router and resource`);
  let s = Date.now();
  system = await start();
  log(`system up in ${((Date.now() - s) / 1000).toFixed(1)} s; load average ${load()}`);
  const spread = (i) => Math.round((i * (USERS - 1)) / Math.max(1, SAMPLES - 1));
  const admin = await gql(system.graphqlUrl, 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }', {
    e: ADMIN.email,
    p: ADMIN.password,
  });
  const token = admin.signIn.accessToken;
  await timed(3, () => gql(system.graphqlUrl, '{ me { id } }', {}, token)); // warm-up
  const rows = [];
  rows.push(['me (anchor: users by _id)', await timed(SAMPLES, () => gql(system.graphqlUrl, '{ me { id displayName email } }', {}, token))]);
  // The template user is the collection's first document: a scan by email finds it at once, so this
  // row is bcrypt and the request; the next one adds what finding a user spread over the collection costs.
  rows.push([
    'signIn, the first user (anchor: bcrypt)',
    await timed(SAMPLES, () =>
      gql(system.graphqlUrl, 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }', {
        e: 'template@probe.example.com',
        p: PASSWORD,
      }),
    ),
  ]);
  rows.push([
    'signIn (users by email, + bcrypt)',
    await timed(SAMPLES, (i) =>
      gql(system.graphqlUrl, 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }', { e: emailOf(spread(i)), p: PASSWORD }),
    ),
  ]);
  rows.push([
    'refreshSession (sessions by token hash)',
    await timed(SAMPLES, (i) =>
      gql(system.graphqlUrl, 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }', { t: tokenOf(spread(i)) }),
    ),
  ]);
  rows.push([
    'AdminUsers (first page of 25 and count)',
    await timed(Math.min(SAMPLES, 10), () => gql(system.graphqlUrl, '{ users(first: 25) { totalCount edges { node { id email } } } }', {}, token)),
  ]);
  console.log(`\n${USERS} users, ${USERS} sessions; load average ${load()}`);
  console.log('| read | p50 ms | p95 ms | failed |\n|---|---|---|---|');
  for (const [name, r] of rows) console.log(`| ${name} | ${r.p50} | ${r.p95} | ${r.failed} |`);
} finally {
  await system?.stop();
  await conn.db?.dropDatabase();
  await conn.close();
  rmSync(trustDir, { recursive: true, force: true });
}
