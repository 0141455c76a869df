#!/usr/bin/env node
// The initial-JavaScript budget of the production build (web/dist): the entry script and every
// chunk it loads, gzipped as the router serves them (level 9). Fails above the budget. The app
// loads all its chunks at start (the split only lets the session restore while the code loads),
// so every chunk in assets/ counts.
//   node scripts/check-budget.mjs [--budget-kb 200]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const i = process.argv.indexOf('--budget-kb');
const budgetKb = i > 0 ? Number(process.argv[i + 1]) : 200;

let html;
try {
  html = readFileSync(join(dist, 'index.html'), 'utf8');
} catch {
  console.error('check-budget: web/dist/index.html is missing: build first (npm run build -w web)');
  process.exit(1);
}
const entry = /<script[^>]*type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
if (!entry) {
  console.error('check-budget: no module script in index.html');
  process.exit(1);
}
const chunks = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
const scripts = [entry, ...chunks.map((f) => `/assets/${f}`).filter((s) => s !== entry)];
let raw = 0;
let gz = 0;
for (const src of scripts) {
  const body = readFileSync(join(dist, src.replace(/^\//, '')));
  const zipped = gzipSync(body, { level: 9 }).length;
  raw += body.length;
  gz += zipped;
  console.log(`  ${src}  ${(body.length / 1000).toFixed(1)} kB, ${(zipped / 1000).toFixed(1)} kB gzipped`);
}
const ok = gz <= budgetKb * 1000;
console.log(
  `check-budget: initial JavaScript ${(gz / 1000).toFixed(1)} kB gzipped (${(raw / 1000).toFixed(1)} kB raw), budget ${budgetKb} kB: ${ok ? 'ok' : 'OVER'}`,
);
process.exit(ok ? 0 : 1);
