#!/usr/bin/env node
// Watcher latency: a file renamed into the library → its track answered by `search` (direct
// to the library's GraphQL). Prints p50/p95 over the rounds.
//   node bench/library/watch.mjs [--files=1000] [--rounds=20]
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { generate } from './generate-corpus.mjs';
import { arg, gql, ms, percentiles, scan, startJwks, startLibrary } from './lib.mjs';

const files = Number(arg('files', '1000'));
const rounds = Number(arg('rounds', '20'));
const base = mkdtempSync(join(tmpdir(), 'ytm-bench-watch-'));
const musicDir = join(base, 'music');
generate(musicDir, files);

const jwks = await startJwks();
const lib = await startLibrary({ musicDir, jwksUrl: jwks.url, env: { WATCH: 'true' } });
try {
  await scan(lib.url, jwks.admin);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const staging = join(base, `staging-${r}`);
    mkdirSync(staging, { recursive: true });
    // A file from far beyond the corpus: its tags (and so its title) are new.
    const [path] = generate(staging, 1, { from: 1_000_000 + r * 37, seed: 99 });
    const name = path.slice(staging.length + 1).split('/');
    const title = name
      .at(-1)
      .replace(/^\d+ /, '')
      .replace(/\.(mp3|flac)$/, '');
    const target = join(musicDir, `watched-${r}`);
    const t0 = performance.now();
    renameSync(join(staging, name[0]), target);
    for (;;) {
      const { search } = await gql(lib.url, 'query($q: String!) { search(query: $q, limit: 50) { tracks { title } } }', { q: title }, jwks.user);
      if (search.tracks.some((t) => t.title === title)) break;
      if (performance.now() - t0 > 10_000) throw new Error(`round ${r}: not visible after 10 s`);
      await new Promise((res) => setTimeout(res, 10));
    }
    samples.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 300));
  }
  const p = percentiles(samples);
  console.log(`watcher: file renamed in → searchable: p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, max ${ms(p.max)} (${p.n} rounds, ${files} tracks, debounce 300 ms)`);
} finally {
  await lib.stop();
  await jwks.close();
  rmSync(base, { recursive: true, force: true });
}
