// The first run as a new person meets it: `npm start` on a checkout whose music folder is empty,
// then, in Chromium, the web player at / without reading anything: create an account, see the
// demo albums, press play, hear it (the <audio> element's time advances with no media error).
//   node scripts/first-run-check.mjs              runs `npm start` here (default ports), checks, stops it
//   node scripts/first-run-check.mjs --url URL    checks a system that is already running at URL
// Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH), driven by playwright-core.
// Screenshots: .ytm/first-run-albums.png (the demo albums), .ytm/first-run-playing.png.
/* global document -- the functions run in the page */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_ALBUMS } from './music.mjs';
import { ROOT } from './system.mjs';

const t0 = Date.now();
const say = (m) => console.log(`[first-run] ${m} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
const urlArg = process.argv.indexOf('--url');
let started;

try {
  const url = urlArg > 0 ? process.argv[urlArg + 1] : await startHere();
  await checkInBrowser(url);
  say('PASS: signed up, saw the demo albums, played one (time advancing, no media error)');
} catch (err) {
  console.error(`[first-run] FAIL: ${err.message}`);
  process.exitCode = 1;
} finally {
  if (started) await stop(started);
}

/** `npm start` (scripts/start.mjs) in this checkout; resolves with the web player's URL. */
async function startHere() {
  const music = join(ROOT, 'music');
  const fresh = process.env.MUSIC_DIR === undefined && (!existsSync(music) || readdirSync(music).length === 0);
  if (!fresh) say(`note: ${music} is not empty (or MUSIC_DIR is set), so this is not a first run; the demo albums must already be there`);
  say('starting: npm start');
  started = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let sawDemo = false;
  const url = await new Promise((resolve, reject) => {
    const onLine = (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        console.log(`  | ${line}`);
        if (/demo library written/.test(line)) sawDemo = true;
        const m = /\[ytm\] web player: (http\S+?)\/?(\s|$)/.exec(line);
        if (m) resolve(m[1]);
      }
    };
    started.stdout.on('data', onLine);
    started.stderr.on('data', onLine);
    started.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready`)));
  });
  if (fresh && !sawDemo) throw new Error('npm start did not write the demo library into the empty music folder');
  return url;
}

async function checkInBrowser(url) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--mute-audio'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    say(`opening ${url}/`);
    await page.goto(`${url}/`);
    // What a person sees first: a way to make an account.
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('New Listener');
    await page.getByLabel('Email').fill(`listener-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('a long and careful password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor({ timeout: 15_000 });
    say('signed up: the Albums page is open');
    // The scan may still be running: the albums appear by themselves (no reload).
    for (const a of DEMO_ALBUMS) await page.getByRole('link', { name: `${a.album} by ${a.artist}` }).waitFor({ timeout: 60_000 });
    say(`the demo albums are there: ${DEMO_ALBUMS.map((a) => a.album).join(', ')}`);
    mkdirSync(join(ROOT, '.ytm'), { recursive: true });
    await page.screenshot({ path: join(ROOT, '.ytm', 'first-run-albums.png') });
    const first = DEMO_ALBUMS[0];
    await page.getByRole('link', { name: `${first.album} by ${first.artist}` }).click();
    await page.getByRole('heading', { name: first.album, level: 1 }).waitFor();
    await page.getByRole('button', { name: `Play ${first.album}` }).click();
    const audio = () => {
      const a = document.querySelector('audio[data-active="true"]');
      return {
        time: a?.currentTime ?? 0,
        paused: a?.paused ?? true,
        error: a?.error?.code ?? null,
        title: document.querySelector('[data-testid="now-title"]')?.textContent,
      };
    };
    // Playing: past 3 s and not paused, or a media error (reported below). A function, not a
    // string: the page's CSP (script-src 'self') forbids evaluating strings.
    await page
      .waitForFunction(
        () => {
          const a = document.querySelector('audio[data-active="true"]');
          return Boolean(a && (a.error || (a.currentTime > 3 && !a.paused)));
        },
        undefined,
        { timeout: 20_000, polling: 200 },
      )
      .catch((err) => say(`waiting for playback: ${err.message.split('\n')[0]}`));
    const state = await page.evaluate(audio);
    if (state.error !== null) throw new Error(`media error ${state.error} while playing`);
    if (!(state.time > 3 && !state.paused)) throw new Error(`the <audio> element did not advance past 3 s: ${JSON.stringify(state)}`);
    say(`playing "${state.title}": currentTime ${state.time.toFixed(1)} s, no media error`);
    if (state.title !== first.tracks[0]) throw new Error(`expected "${first.tracks[0]}" to play, the player shows "${state.title}"`);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    await page.screenshot({ path: join(ROOT, '.ytm', 'first-run-playing.png') });
    say('screenshots: .ytm/first-run-albums.png, .ytm/first-run-playing.png');
  } finally {
    await browser.close();
  }
}

/** Ctrl-C for the started `npm start`: it stops everything it started. */
function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  say('stopping npm start');
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGINT');
  });
}
