#!/usr/bin/env node
// The initial-JavaScript budget of the production build (web/dist): the entry script, every chunk
// it imports, and the chunks main.ts imports dynamically at start (the app's code, loaded while the
// session restores) with their imports, gzipped as the router serves them (level 9). Pages loaded
// on demand (React.lazy, imported from deeper chunks) are listed but not counted. Fails above the
// budget. Reads Vite's build manifest (web/dist/.vite/manifest.json).
//   node scripts/check-budget.mjs [--budget-kb 200]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const i = process.argv.indexOf('--budget-kb');
const budgetKb = i > 0 ? Number(process.argv[i + 1]) : 200;

let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
} catch {
  console.error('check-budget: web/dist/.vite/manifest.json is missing: build first (npm run build -w web)');
  process.exit(1);
}
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entryKey) {
  console.error('check-budget: no entry in the build manifest');
  process.exit(1);
}
const initial = new Set();
const walk = (key) => {
  if (initial.has(key) || !manifest[key]) return;
  initial.add(key);
  for (const k of manifest[key].imports ?? []) walk(k);
};
walk(entryKey);
for (const k of manifest[entryKey].dynamicImports ?? []) walk(k);

const size = (file) => {
  const body = readFileSync(join(dist, file));
  return { raw: body.length, gz: gzipSync(body, { level: 9 }).length };
};
let raw = 0;
let gz = 0;
let lazyGz = 0;
for (const [key, chunk] of Object.entries(manifest)) {
  if (!chunk.file.endsWith('.js')) continue;
  const s = size(chunk.file);
  const counted = initial.has(key);
  if (counted) {
    raw += s.raw;
    gz += s.gz;
  } else lazyGz += s.gz;
  console.log(`  ${counted ? 'initial' : 'lazy   '} /${chunk.file}  ${(s.raw / 1000).toFixed(1)} kB, ${(s.gz / 1000).toFixed(1)} kB gzipped`);
}
const ok = gz <= budgetKb * 1000;
console.log(
  `check-budget: initial JavaScript ${(gz / 1000).toFixed(1)} kB gzipped (${(raw / 1000).toFixed(1)} kB raw), budget ${budgetKb} kB: ${ok ? 'ok' : 'OVER'}; on demand ${(lazyGz / 1000).toFixed(1)} kB gzipped`,
);
process.exit(ok ? 0 : 1);
