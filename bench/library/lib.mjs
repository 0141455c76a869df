// Shared by the library benchmarks: a JWKS the library trusts, the library (dist) as its own
// process on free ports with a database of its own, GraphQL calls, percentiles, RSS.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MONGODB_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

const { TestTokenIssuer } = await import(join(ROOT, 'packages/testing/dist/index.js'));

export function arg(name, fallback) {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
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
  const proc = spawn(process.execPath, [...nodeArgs, join(ROOT, 'subgraphs/library/dist/main.js')], {
    cwd: ROOT,
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
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`library exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('library did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    db,
    pid: proc.pid,
    rssMb: () => rssMb(proc.pid),
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
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
