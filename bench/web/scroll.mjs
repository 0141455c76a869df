#!/usr/bin/env node
// The tracks page with a library of 100,000 tracks: frame times while scrolling, long tasks, DOM
// rows, and how far cursor pagination keeps up, in Debian's Chromium against the whole system.
//
//   node bench/web/scroll.mjs [--tracks=100000] [--dir=/tmp/ytm-bench-web-100k] [--seconds=15] [--speed=3000]
//     [--baseline=<another build of web/dist, e.g. main's>]   the two builds alternately, same browser and system
//
// The catalogue is a generated music folder (bench/library/generate-corpus.mjs: tags in front of
// tiny audio templates, about 20 s for 100,000 files) scanned by the real library service; the
// folder is kept in --dir and reused by the next run. Infrastructure: MONGODB_URL/KAFKA_BROKERS,
// or FerretDB and Kafka started here (FERRETDB_PORT/KAFKA_PORT as for npm test).
// Needs `npm run build` (services) and a web build (`npm run build:web`, done here when missing).
/* global PerformanceObserver, document, innerHeight, requestAnimationFrame, scrollBy, scrollTo, scrollY -- measureScroll and measureJumps run in the page */
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { down, up } from '../../infra/infra.mjs';
import { ROOT, startSystem } from '../../scripts/system.mjs';
import { buildWeb } from '../../scripts/web.mjs';
import { generate } from '../library/generate-corpus.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const tracks = Number(arg('tracks', '100000'));
const base = arg('dir', `/tmp/ytm-bench-web-${tracks >= 1000 ? `${tracks / 1000}k` : tracks}`);
const seconds = Number(arg('seconds', '15'));
const speed = Number(arg('speed', '3000')); // px/s: about 50 rows of 60 px a second, a brisk drag
const baseline = arg('baseline', '');
const musicDir = join(base, 'music');
const FRAME = 1000 / 60;
const t0 = Date.now();
const log = (m) => console.log(`[bench/web] ${m} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);

if (!existsSync(musicDir) || readdirSync(musicDir).length === 0) {
  generate(musicDir, tracks);
  log(`generated ${tracks} files in ${musicDir}`);
}
if (!existsSync(join(ROOT, 'web/dist/index.html')) && !(await buildWeb({ log }))) throw new Error('web build failed');

const infra = process.env.MONGODB_URL && process.env.KAFKA_BROKERS ? undefined : await up({ log: () => undefined });
const mongodbUrl = process.env.MONGODB_URL ?? infra.mongodbUrl;
const kafkaBrokers = process.env.KAFKA_BROKERS ?? infra.kafkaBrokers;
// --keep-db: the scanned catalogue stays in FerretDB (prefix benchweb<N>) for the next run, which
// then only rescans the unchanged folder; without it the databases are dropped at the end.
const keepDb = process.argv.includes('--keep-db');
const dbPrefix = keepDb ? `benchweb${tracks}` : `benchweb${Date.now().toString(36)}`;
// A kept catalogue of 100,000 tracks takes the library a while to load before it is ready.
const system = await startSystem({
  mongodbUrl,
  kafkaBrokers,
  ephemeral: true,
  dbPrefix,
  production: true,
  readyTimeoutMs: 300_000,
  env: { MUSIC_DIR: musicDir, LOG_LEVEL: 'warn' },
});
const url = system.routerUrls[0];
let browser;
try {
  log(`system up at ${url}; scanning`);
  const scanStart = Date.now();
  await waitForScan(url, tracks);
  log(`library scanned: ${tracks} tracks in ${((Date.now() - scanStart) / 1000).toFixed(1)} s`);

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--mute-audio'] });
  if (!baseline) await measureApp(browser, url);

  // The machine's floor right now (the benchmark shares it): the same scroll of a plain page as
  // tall, no script, no rows. What the app adds is the difference.
  const plain = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await plain.setContent(`<div class="virtual" style="height:${tracks * 60}px;background:linear-gradient(#fff,#000)"></div>`);
  report(`control: a plain page as tall, same scroll`, await withMetrics(plain, () => plain.evaluate(measureScroll, { seconds, speed })));
  await plain.close();

  // --baseline=<web dist>: another build of the app (e.g. main's) against this one, alternately,
  // in the same browser against the same system, so both see the same machine. Both are served
  // the same way: index.html and /assets/* from their own folder, everything else by the router.
  if (baseline) {
    for (let round = 1; round <= 3; round++) {
      for (const [name, dist] of [
        ['baseline', baseline],
        ['this build', join(ROOT, 'web/dist')],
      ]) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: url });
        await ctx.route(
          (u) => u.pathname === '/signup' || u.pathname.startsWith('/assets/'),
          (route) => {
            const path = new URL(route.request().url()).pathname;
            return route.fulfill({ path: join(dist, path.startsWith('/assets/') ? path : 'index.html') });
          },
        );
        const p = await ctx.newPage();
        await openTracks(p, `AB${round}`);
        report(`A/B round ${round}, ${name}: steady scroll`, await withMetrics(p, () => p.evaluate(measureScroll, { seconds, speed })));
        await ctx.close();
      }
    }
  }
} finally {
  await browser?.close();
  await system.stop();
  if (!keepDb) await dropDatabases(mongodbUrl, dbPrefix);
  if (infra?.startedNow.length && process.env.YTM_KEEP_INFRA !== '1') await down({ only: infra.startedNow, log: () => undefined });
}

/** The app as built: steady scroll (and --profile), jumps, pagination parked at the end, heap. */
async function measureApp(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, baseURL: url });
  await openTracks(page, 'Scroller');

  // 1. A steady scroll at `speed` px/s for `seconds`, driven by the page's own animation frames.
  // --profile: Chromium's sampling profiler runs meanwhile; the functions with the most self time.
  const cdp = process.argv.includes('--profile') ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const steady = await withMetrics(page, () => page.evaluate(measureScroll, { seconds, speed }));
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
  report(`steady scroll, ${speed} px/s for ${seconds} s`, steady);

  // 2. Jumps: to 30 places across the list (the scrollbar dragged), one frame each.
  const jumps = await page.evaluate(measureJumps, { count: 30 });
  report('30 jumps across the list (scrollbar dragged)', jumps);

  // 3. Parked at the end: cursor pagination walks there page by page (the API has no offsets).
  const before = await page.evaluate(() => Number(document.querySelector('.virtual').dataset.loaded));
  const walk = 10;
  await page.waitForTimeout(walk * 1000); // a measuring window, not a wait for a state
  const after = await page.evaluate(() => Number(document.querySelector('.virtual').dataset.loaded));
  console.log(
    `after a jump to the end: ${after - before} rows loaded in ${walk} s (${Math.round((after - before) / walk)} rows/s, pages of 100 one after another); ${after} of ${tracks} loaded`,
  );

  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  console.log(`  JS heap after scrolling: ${(heap / 1e6).toFixed(0)} MB`);
  await page.close();
}

/** Signs up in `page` and opens Tracks; logs how long the first rows took. */
async function openTracks(page, name) {
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(`${name.toLowerCase()}-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
  const open = Date.now();
  await page.getByRole('link', { name: 'Tracks' }).first().click();
  await page.locator('.virtual .track').first().waitFor();
  const count = await page
    .getByText(/^[\d,.\s ]+ tracks$/)
    .first()
    .textContent();
  log(`tracks page: first rows in ${Date.now() - open} ms; header says "${count}"`);
}

/**
 * `measure()` with the renderer's own counters around it (CDP Performance.getMetrics): how many
 * layouts and style recalculations, and the time in script, layout, style and tasks. Counts do not
 * depend on the machine's load as frame times do.
 */
async function withMetrics(page, measure) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await read();
  const result = await measure();
  const after = await read();
  await cdp.detach();
  const d = (k) => after[k] - before[k];
  return {
    ...result,
    renderer: {
      layouts: d('LayoutCount'),
      styles: d('RecalcStyleCount'),
      layoutMs: d('LayoutDuration') * 1000,
      styleMs: d('RecalcStyleDuration') * 1000,
      scriptMs: d('ScriptDuration') * 1000,
      taskMs: d('TaskDuration') * 1000,
    },
  };
}

async function dropDatabases(mongodbUrl, prefix) {
  const { default: mongoose } = await import('mongoose');
  const conn = await mongoose.createConnection(mongodbUrl).asPromise();
  try {
    for (const db of ['resource', 'library', 'stream']) await conn.useDb(`${prefix}_${db}`).dropDatabase();
  } finally {
    await conn.close();
  }
}

/** Self time by function (name, file:line:column), the top 20, from a CDP CPU profile. */
function printProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`  profile: ${total.toFixed(0)} ms sampled; most self time:`);
  for (const [k, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

function report(what, r) {
  const d = [...r.frames].sort((a, b) => a - b);
  // The machine is shared: the load average right after the measurement, beside its numbers.
  what = `${what} (load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})`;
  const q = (p) => d[Math.min(d.length - 1, Math.floor((p / 100) * d.length))] ?? 0;
  const slow = d.filter((x) => x > FRAME * 1.5).length;
  console.log(`${what}:`);
  console.log(
    `  frames: ${d.length}, p50 ${q(50).toFixed(1)} ms, p95 ${q(95).toFixed(1)} ms, p99 ${q(99).toFixed(1)} ms, max ${(d.at(-1) ?? 0).toFixed(1)} ms  (anchor: 60 fps = ${FRAME.toFixed(1)} ms a frame)`,
  );
  console.log(
    `  frames over 25 ms (a dropped frame): ${slow} (${((slow / Math.max(1, d.length)) * 100).toFixed(1)} %); long tasks (> 50 ms): ${r.longTasks.length}, longest ${Math.max(0, ...r.longTasks).toFixed(0)} ms`,
  );
  console.log(`  DOM rows: at most ${r.maxRows} (the list has ${r.total} tracks); rows still loading on screen: ${r.skeletonFrames} of ${d.length} frames`);
  console.log(`  scrolled to row ${r.lastRow}; rows loaded by then: ${r.loaded}`);
  const m = r.renderer;
  if (m) {
    const per = (x) => (x / Math.max(1, d.length)).toFixed(2);
    console.log(
      `  renderer: ${m.layouts} layouts (${per(m.layouts)} a frame, ${m.layoutMs.toFixed(0)} ms), ${m.styles} style recalcs (${per(m.styles)} a frame, ${m.styleMs.toFixed(0)} ms), script ${m.scriptMs.toFixed(0)} ms, tasks ${m.taskMs.toFixed(0)} ms`,
    );
  }
}

/** In the page: scroll by `speed` px/s each frame for `seconds`; frame deltas, long tasks, DOM rows. */
function measureScroll({ seconds, speed }) {
  return new Promise((resolve) => {
    const longTasks = [];
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
    obs.observe({ type: 'longtask' });
    const frames = [];
    let maxRows = 0;
    let skeletonFrames = 0;
    let last;
    const end = performance.now() + seconds * 1000;
    const tick = (now) => {
      if (last !== undefined) {
        frames.push(now - last);
        scrollBy(0, (speed * (now - last)) / 1000);
      }
      last = now;
      const rows = document.querySelectorAll('.virtual [role="listitem"]');
      maxRows = Math.max(maxRows, rows.length);
      if ([...rows].some((r) => r.classList.contains('skeleton') && r.getBoundingClientRect().top < innerHeight)) skeletonFrames += 1;
      if (now < end) requestAnimationFrame(tick);
      else {
        obs.disconnect();
        resolve({ frames, longTasks, maxRows, skeletonFrames, ...where() });
      }
    };
    requestAnimationFrame(tick);
    function where() {
      const list = document.querySelector('.virtual');
      return {
        total: Math.round(list.offsetHeight / 60),
        lastRow: Math.round((scrollY + innerHeight - list.offsetTop) / 60),
        loaded: Number(list.dataset.loaded ?? 0),
      };
    }
  });
}

/** In the page: jump to `count` places across the list, recording the frame after each jump. */
async function measureJumps({ count }) {
  const longTasks = [];
  const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
  obs.observe({ type: 'longtask' });
  const list = document.querySelector('.virtual');
  const frames = [];
  let maxRows = 0;
  let skeletonFrames = 0;
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  for (let i = 1; i <= count; i++) {
    const a = await frame();
    scrollTo(0, list.offsetTop + (list.offsetHeight - innerHeight) * (i / count));
    const b = await frame();
    frames.push(b - a);
    const rows = document.querySelectorAll('.virtual [role="listitem"]');
    maxRows = Math.max(maxRows, rows.length);
    if ([...rows].some((r) => r.classList.contains('skeleton'))) skeletonFrames += 1;
  }
  obs.disconnect();
  return {
    frames,
    longTasks,
    maxRows,
    skeletonFrames,
    total: Math.round(list.offsetHeight / 60),
    lastRow: Math.round((scrollY + innerHeight - list.offsetTop) / 60),
    loaded: Number(list.dataset.loaded ?? NaN),
  };
}

async function waitForScan(url, n) {
  const r = await fetch(`${url}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `scout-${Date.now()}@example.com`, password: 'scout password', displayName: 'Scout' }),
  });
  const { accessToken } = await r.json();
  const deadline = Date.now() + 30 * 60_000;
  let lastLog = 0;
  for (;;) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query: '{ libraryStats { trackCount } }' }),
    });
    const count = (await res.json()).data?.libraryStats.trackCount ?? 0;
    if (count >= n) return;
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`  ${count} of ${n} tracks scanned`);
    }
    if (Date.now() > deadline) throw new Error(`library has ${count} of ${n} tracks after 30 min`);
    await new Promise((res2) => setTimeout(res2, 1000));
  }
}
