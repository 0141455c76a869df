#!/usr/bin/env node
// Initial scan (tracks/s), unchanged rescan (files/s), search and tracks(first: 100) latency, RSS.
//   node bench/library/scan.mjs [--files=10000] [--dir=/tmp/corpus] [--queries=200]
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { generate, rng } from './generate-corpus.mjs';
import { arg, gql, ms, percentiles, scan, startJwks, startLibrary } from './lib.mjs';

const files = Number(arg('files', '10000'));
const queries = Number(arg('queries', '200'));
const given = arg('dir', undefined);
const base = given ?? mkdtempSync(join(tmpdir(), 'ytm-bench-library-'));
const musicDir = join(base, 'music');
if (!existsSync(musicDir)) {
  const t = Date.now();
  generate(musicDir, files);
  console.log(`corpus: ${files} files generated in ${((Date.now() - t) / 1000).toFixed(1)} s (${musicDir})`);
}

/** The service's own view of its memory (GET /health on its ops listener): where the RSS goes. */
async function memory(opsUrl) {
  const m = (await (await fetch(`${opsUrl}/health`)).json()).memoryMb ?? {};
  return `heap ${m.heapUsed}/${m.heapTotal} MB, external ${m.external} MB (array buffers ${m.arrayBuffers} MB)`;
}

const jwks = await startJwks();
const lib = await startLibrary({ musicDir, jwksUrl: jwks.url, env: process.env.SCAN_WORKERS ? { SCAN_WORKERS: process.env.SCAN_WORKERS } : {} });
try {
  const first = await scan(lib.url, jwks.admin);
  const firstSec = (Date.parse(first.finishedAt) - Date.parse(first.startedAt)) / 1000;
  console.log(
    `initial scan: ${first.tracksAdded} tracks in ${firstSec.toFixed(2)} s = ${Math.round(first.tracksAdded / firstSec)} tracks/s (errors ${first.errors}); RSS ${lib.rssMb().toFixed(0)} MB`,
  );

  // The outbox relay is still publishing the scan's events: let it finish before timing more.
  const drainStart = Date.now();
  for (;;) {
    const health = await (await fetch(`${lib.opsUrl}/health`)).json();
    if (health.outboxPublished >= first.tracksAdded || Date.now() - drainStart > 300_000) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(
    `events: ${first.tracksAdded} library.track.added published by ${((Date.now() - Date.parse(first.startedAt)) / 1000).toFixed(1)} s after the scan started`,
  );

  const again = await scan(lib.url, jwks.admin);
  const againSec = (Date.parse(again.finishedAt) - Date.parse(again.startedAt)) / 1000;
  console.log(
    `unchanged rescan: ${again.filesSeen} files in ${againSec.toFixed(3)} s = ${Math.round(again.filesSeen / againSec)} files/s (parsed ${again.filesParsed})`,
  );

  const rand = rng(42);
  const { tracks } = await gql(lib.url, '{ tracks(first: 100) { edges { node { title artists { name } album { title } } } } }', {}, jwks.user);
  const words = tracks.edges.flatMap((e) => `${e.node.title} ${e.node.artists[0].name} ${e.node.album?.title ?? ''}`.split(/\s+/)).filter((w) => w.length > 2);
  const search = [];
  for (let i = 0; i < queries; i++) {
    const w = words[Math.floor(rand() * words.length)];
    const q = rand() < 0.5 ? w.slice(0, 2 + Math.floor(rand() * 3)) : `${w} ${words[Math.floor(rand() * words.length)].slice(0, 3)}`;
    const t = performance.now();
    await gql(lib.url, 'query($q: String!) { search(query: $q, limit: 10) { tracks { id title } albums { id title } artists { id name } } }', { q }, jwks.user);
    search.push(performance.now() - t);
  }
  const s = percentiles(search);
  console.log(`search (HTTP, ${s.n} queries, limit 10): p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)}`);

  const page = [];
  let after = null;
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const r = await gql(
      lib.url,
      'query($after: String) { tracks(first: 100, after: $after, sort: ARTIST) { pageInfo { endCursor hasNextPage } edges { node { id title duration artists { id name } album { id title artist { name } coverArt { url } } } } } }',
      { after },
      jwks.user,
    );
    page.push(performance.now() - t);
    after = r.tracks.pageInfo.hasNextPage ? r.tracks.pageInfo.endCursor : null;
  }
  const p = percentiles(page);
  console.log(`tracks(first: 100) with album and artists (HTTP, direct to library): p50 ${ms(p.p50)}, p95 ${ms(p.p95)}`);
  console.log(`library RSS after queries: ${lib.rssMb().toFixed(0)} MB`);
  // Parser threads stop after 30 s without work.
  await new Promise((r) => setTimeout(r, 35_000));
  console.log(`library RSS 35 s later (parser threads stopped): ${lib.rssMb().toFixed(0)} MB; ${await memory(lib.opsUrl)}`);

  // Steady state: a fresh process on the same database (catalogue loaded, no parser workers).
  await lib.stop();
  const t = Date.now();
  const again2 = await startLibrary({ musicDir, jwksUrl: jwks.url, env: { MONGODB_DB: lib.db } });
  try {
    console.log(
      `restart: catalogue of ${first.tracksAdded} tracks loaded and serving in ${((Date.now() - t) / 1000).toFixed(1)} s; RSS ${again2.rssMb().toFixed(0)} MB`,
    );
    const search2 = [];
    for (let i = 0; i < queries; i++) {
      const w = words[Math.floor(rand() * words.length)];
      const t0 = performance.now();
      await gql(
        again2.url,
        'query($q: String!) { search(query: $q, limit: 10) { tracks { id title } albums { id title } artists { id name } } }',
        { q: w.slice(0, 3) },
        jwks.user,
      );
      search2.push(performance.now() - t0);
    }
    const s2 = percentiles(search2);
    console.log(
      `search after restart (3-letter prefixes): p50 ${ms(s2.p50)}, p95 ${ms(s2.p95)}; RSS ${again2.rssMb().toFixed(0)} MB; ${await memory(again2.opsUrl)}`,
    );
  } finally {
    await again2.stop();
  }
} finally {
  await lib.stop();
  await jwks.close();
  if (!given) rmSync(base, { recursive: true, force: true });
}
