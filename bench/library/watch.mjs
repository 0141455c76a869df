#!/usr/bin/env node
// Watcher latency: a file renamed into the library → its track answered by `search` (direct
// to the library's GraphQL). Prints p50/p95 over the rounds.
//   node bench/library/watch.mjs [--files=1000] [--rounds=20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './generate-corpus.mjs';
import { arg, gql, ms, percentiles, scan, SEARCH_TITLES, startJwks, startLibrary, watcherRounds } from './lib.mjs';

const files = Number(arg('files', '1000'));
const rounds = Number(arg('rounds', '20'));
const base = mkdtempSync(join(tmpdir(), 'ytm-bench-watch-'));
const musicDir = join(base, 'music');
generate(musicDir, files);

const jwks = await startJwks();
const lib = await startLibrary({ musicDir, jwksUrl: jwks.url, env: { WATCH: 'true' } });
try {
  await scan(lib.url, jwks.admin);
  const samples = await watcherRounds({
    base,
    musicDir,
    rounds,
    from: 1_000_000,
    step: 37,
    seed: 99,
    titlesFor: async (q) => (await gql(lib.url, SEARCH_TITLES, { q }, jwks.user)).search.tracks.map((t) => t.title),
  });
  const p = percentiles(samples);
  console.log(`watcher: file renamed in → searchable: p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, max ${ms(p.max)} (${p.n} rounds, ${files} tracks, debounce 300 ms)`);
} finally {
  await lib.stop();
  await jwks.close();
  rmSync(base, { recursive: true, force: true });
}
