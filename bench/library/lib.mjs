// Shared by the library benchmarks: a JWKS the library trusts, the library (dist) as its own
// process on free ports with a database of its own, GraphQL calls, percentiles, RSS.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generate } from './generate-corpus.mjs';
import { freePort, startServiceProcess } from '../service-process.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MONGODB_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

const { TestTokenIssuer } = await import(join(ROOT, 'packages/testing/dist/index.js'));

export function arg(name, fallback) {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** Signs tokens like ytm-resource and serves the matching JWKS. */
export async function startJwks() {
  const issuer = new TestTokenIssuer();
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(issuer.jwks()));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/jwks.json`,
    user: issuer.sign({ role: 'USER', ttlSec: 3600 }),
    admin: issuer.sign({ role: 'ADMIN', ttlSec: 3600 }),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Starts subgraphs/library/dist/main.js (production mode) over `musicDir`. */
export async function startLibrary({ musicDir, jwksUrl, env = {} }) {
  const port = await freePort();
  const db = env.MONGODB_DB ?? `bench_library_${randomUUID().slice(0, 8)}`;
  // LIBRARY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the library process.
  const nodeArgs = (process.env.LIBRARY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const url = `http://127.0.0.1:${port}`;
  const service = await startServiceProcess({
    name: 'library',
    script: join(ROOT, 'subgraphs/library/dist/main.js'),
    nodeArgs,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: '0',
      MONGODB_URL,
      MONGODB_DB: db,
      KAFKA_BROKERS,
      REGISTRY_URL: '127.0.0.1:1',
      JWKS_URL: jwksUrl,
      MUSIC_DIR: musicDir,
      ART_DIR: join(musicDir, '..', `art-${db}`),
      SCAN_ON_START: 'false',
      WATCH: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore'],
    timeoutMs: 300_000,
  });
  return { url, opsUrl: service.opsUrl, db, pid: service.pid, rssMb: () => rssMb(service.pid), stop: service.stop };
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

export async function gql(url, query, variables = {}, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Runs a full scan through the API and waits for it; returns the final ScanStatus. */
export async function scan(url, token, full = false) {
  await gql(url, 'mutation($full: Boolean) { startLibraryScan(full: $full) { state } }', { full }, token);
  for (;;) {
    const { scanStatus } = await gql(
      url,
      '{ scanStatus { state startedAt finishedAt filesSeen filesParsed tracksAdded tracksUpdated tracksRemoved errors } }',
      {},
      token,
    );
    if (scanStatus.state !== 'RUNNING') return scanStatus;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  return { p50: at(50), p95: at(95), max: s.at(-1), n: s.length };
}

export const ms = (n) => `${n.toFixed(1)} ms`;

/**
 * Watcher latency rounds: each renames a freshly generated file (tags from far beyond the corpus,
 * so its title is new) into `musicDir` and polls `titlesFor(title)` until the track shows up.
 * Returns the milliseconds per round.
 */
export async function watcherRounds({ base, musicDir, rounds, from, step, seed, titlesFor }) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const staging = join(base, `staging-${r}`);
    mkdirSync(staging, { recursive: true });
    const [path] = generate(staging, 1, { from: from + r * step, seed });
    const parts = path.slice(staging.length + 1).split('/');
    const title = parts
      .at(-1)
      .replace(/^\d+ /, '')
      .replace(/\.(mp3|flac)$/, '');
    const t0 = performance.now();
    renameSync(join(staging, parts[0]), join(musicDir, `watched-${r}`));
    for (;;) {
      if ((await titlesFor(title)).includes(title)) break;
      if (performance.now() - t0 > 10_000) throw new Error(`round ${r}: not visible after 10 s`);
      await new Promise((res) => setTimeout(res, 10));
    }
    samples.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 300));
  }
  return samples;
}

export const SEARCH_TITLES = 'query($q: String!) { search(query: $q, limit: 50) { tracks { title } } }';
