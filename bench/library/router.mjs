#!/usr/bin/env node
// Through the router (the whole system, every process spawned on free ports): watcher latency
// (file renamed into the library → its track answered by `search` via the router) and
// `tracks(first: 100)` with album and artists.
//   node bench/library/router.mjs [--files=10000] [--rounds=20] [--pages=50]
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSystem } from '../../scripts/system.mjs';
import { generate } from './generate-corpus.mjs';
import { arg, KAFKA_BROKERS, MONGODB_URL, ms, percentiles } from './lib.mjs';

const files = Number(arg('files', '10000'));
const rounds = Number(arg('rounds', '20'));
const pages = Number(arg('pages', '50'));
const base = mkdtempSync(join(tmpdir(), 'ytm-bench-router-'));
const musicDir = join(base, 'music');
generate(musicDir, files);

async function gql(url, query, variables = {}, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const dbPrefix = `bench_router_${randomUUID().slice(0, 8)}`;
const system = await startSystem({
  mongodbUrl: MONGODB_URL,
  kafkaBrokers: KAFKA_BROKERS,
  ephemeral: true,
  dbPrefix,
  production: true,
  env: { LOG_LEVEL: 'warn' },
  serviceEnv: { library: { MUSIC_DIR: musicDir, ART_DIR: join(base, 'art') } },
  readyTimeoutMs: 120_000,
});
try {
  const url = system.graphqlUrl;
  const { signUp } = await gql(url, 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
    input: { email: `bench-${randomUUID().slice(0, 8)}@example.com`, password: 'bench password 1234', displayName: 'Bench' },
  });
  const token = signUp.accessToken;
  for (;;) {
    const { scanStatus, libraryStats } = await gql(url, '{ scanStatus { state } libraryStats { trackCount } }', {}, token);
    if (scanStatus.state !== 'RUNNING' && libraryStats.trackCount >= files) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`system up through the router with ${files} tracks scanned`);

  const page = [];
  let after = null;
  for (let i = 0; i < pages; i++) {
    const t0 = performance.now();
    const r = await gql(
      url,
      'query($after: String) { tracks(first: 100, after: $after, sort: ARTIST) { pageInfo { endCursor hasNextPage } edges { node { id title duration artists { id name } album { id title artist { name } coverArt { url } } } } } }',
      { after },
      token,
    );
    page.push(performance.now() - t0);
    after = r.tracks.pageInfo.hasNextPage ? r.tracks.pageInfo.endCursor : null;
  }
  const p = percentiles(page);
  console.log(`tracks(first: 100) with album and artists through the router: p50 ${ms(p.p50)}, p95 ${ms(p.p95)} (${p.n} pages)`);

  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const staging = join(base, `staging-${r}`);
    mkdirSync(staging, { recursive: true });
    const [path] = generate(staging, 1, { from: 2_000_000 + r * 41, seed: 77 });
    const parts = path.slice(staging.length + 1).split('/');
    const title = parts
      .at(-1)
      .replace(/^\d+ /, '')
      .replace(/\.(mp3|flac)$/, '');
    const t0 = performance.now();
    renameSync(join(staging, parts[0]), join(musicDir, `watched-${r}`));
    for (;;) {
      const { search } = await gql(url, 'query($q: String!) { search(query: $q, limit: 50) { tracks { title } } }', { q: title }, token);
      if (search.tracks.some((t) => t.title === title)) break;
      if (performance.now() - t0 > 10_000) throw new Error(`round ${r}: not visible after 10 s`);
      await new Promise((res) => setTimeout(res, 10));
    }
    samples.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 300));
  }
  const w = percentiles(samples);
  console.log(`watcher through the router (file renamed in → searchable): p50 ${ms(w.p50)}, p95 ${ms(w.p95)}, max ${ms(w.max)} (${w.n} rounds)`);
} finally {
  await system.stop();
  rmSync(base, { recursive: true, force: true });
}
