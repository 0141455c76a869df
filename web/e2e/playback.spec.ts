import { expect, test, type Page, type Request } from '@playwright/test';
import { playAlbum, signUp, waitForAudio } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

/** The format each requestPlayback asked for and what the server answered, in order. */
function ticketLog(page: Page) {
  const asked: string[] = [];
  const answered: Array<{ format: string; mimeType: string }> = [];
  const isTicket = (r: Request) => r.url().endsWith('/graphql') && r.method() === 'POST' && (r.postData() ?? '').includes('requestPlayback');
  page.on('request', (r) => {
    if (isTicket(r)) asked.push((r.postDataJSON() as { variables: { format: string } }).variables.format);
  });
  page.on('response', async (res) => {
    if (!isTicket(res.request())) return;
    const body = (await res.json().catch(() => null)) as { data?: { requestPlayback: { format: string; mimeType: string } } } | null;
    if (body?.data) answered.push({ format: body.data.requestPlayback.format, mimeType: body.data.requestPlayback.mimeType });
  });
  return { asked, answered };
}

test('files Chromium cannot play (ALAC in M4A, WMA) are asked for as OPUS and play; MP3 stays ORIGINAL', async ({ page }) => {
  const log = ticketLog(page);
  await signUp(page, 'Formats');
  const canPlay = await page.evaluate(() => {
    const a = document.createElement('audio');
    return { alac: a.canPlayType('audio/mp4; codecs="alac"'), wma: a.canPlayType('audio/x-ms-wma'), opus: a.canPlayType('audio/ogg; codecs="opus"') };
  });
  expect(canPlay).toEqual({ alac: '', wma: '', opus: 'probably' });

  await playAlbum(page, 'Odd Formats');
  await expect(page.getByTestId('now-title')).toHaveText('Apple Lossless');
  await waitForAudio(page, (a) => a.currentTime > 1.5 && !a.paused);
  expect(log.asked[0]).toBe('OPUS');
  expect(log.answered[0]).toEqual({ format: 'OPUS', mimeType: expect.stringMatching(/^audio\/ogg/) });

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('now-title')).toHaveText('Windows Media');
  await waitForAudio(page, (a) => a.currentTime > 1.5 && !a.paused);
  expect(log.asked.every((f) => f === 'OPUS')).toBe(true);

  await playAlbum(page, 'Slow Rivers');
  await waitForAudio(page, (a) => a.currentTime > 1 && !a.paused);
  expect(log.asked.at(-1)).toBe('ORIGINAL');
  expect(log.answered.at(-1)).toEqual({ format: 'ORIGINAL', mimeType: 'audio/mpeg' });
});

test('where OPUS does not play either (canPlayType stubbed to say so), MP3 is asked for and plays', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: process.env.YTM_WEB_URL });
  await context.addInitScript(() => {
    const real = HTMLMediaElement.prototype.canPlayType;
    HTMLMediaElement.prototype.canPlayType = function (type: string) {
      return /opus/i.test(type) ? '' : real.call(this, type);
    };
  });
  const page = await context.newPage();
  try {
    const log = ticketLog(page);
    await signUp(page, 'NoOpus');
    await playAlbum(page, 'Odd Formats');
    await waitForAudio(page, (a) => a.currentTime > 1.5 && !a.paused);
    expect(log.asked[0]).toBe('MP3');
    expect(log.answered[0]).toEqual({ format: 'MP3', mimeType: 'audio/mpeg' });
  } finally {
    await context.close();
  }
});

interface Sample {
  wall: number;
  time: number;
  active: number;
  src: string;
}

test('a ticket renewed mid-track: the spare element takes over with no restart and no gap; the next track starts from the preloaded one', async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, 'Renewal');
  await playAlbum(page, 'Night Drive');
  // Every 50 ms: which element plays, its source and position; every media error and track change.
  await page.evaluate(() => {
    const w = window as unknown as { samples: Sample[]; mediaErrors: string[]; events: Array<{ type: string; wall: number; src: string }> };
    w.samples = [];
    w.mediaErrors = [];
    w.events = [];
    const els = [...document.querySelectorAll<HTMLAudioElement>('audio')];
    for (const el of els) {
      el.addEventListener('error', () => el.getAttribute('src') && w.mediaErrors.push(`${el.error?.code} ${el.error?.message}`));
      for (const type of ['ended', 'playing'])
        el.addEventListener(type, () => w.events.push({ type, wall: performance.now(), src: el.getAttribute('src') ?? '' }));
    }
    setInterval(() => {
      const i = els.findIndex((e) => e.dataset.active === 'true');
      const a = els[i]!;
      if (!a.paused) w.samples.push({ wall: performance.now() / 1000, time: a.currentTime, active: i, src: a.getAttribute('src') ?? '' });
    }, 50);
  });
  const first = await waitForAudio(page, (a) => a.currentTime > 0.5);
  // The web tier runs the system with TICKET_MARGIN_SECONDS=10: a 40 s track's ticket lasts 50 s
  // and is renewed 30 s before it expires, i.e. about 20 s into the track.
  await waitForAudio(page, (a) => a.src !== first.src && a.currentTime > 25, 60_000);
  const samples = await page.evaluate(() => (window as unknown as { samples: Sample[] }).samples);
  const swaps = samples.filter((s, i) => i > 0 && s.src !== samples[i - 1]!.src);
  expect(swaps.length).toBeGreaterThanOrEqual(1);
  const at = samples.indexOf(swaps[0]!);
  const before = samples[at - 1]!;
  const after = swaps[0]!;
  expect(after.active).not.toBe(before.active); // the other element took over
  // Across the hand-over, position follows the wall clock (no restart, no jump, no stall).
  const drift = after.time - before.time - (after.wall - before.wall);
  console.log(
    `[web-e2e] renewal hand-over: position ${before.time.toFixed(3)} → ${after.time.toFixed(3)} s over ${((after.wall - before.wall) * 1000).toFixed(0)} ms of wall time (drift ${(drift * 1000).toFixed(0)} ms, anchor ±250 ms)`,
  );
  expect(Math.abs(drift)).toBeLessThan(0.25);
  for (let i = 1; i < samples.length; i++) {
    const [p, s] = [samples[i - 1]!, samples[i]!];
    if (s.src === p.src) expect(s.time, `no restart at ${s.wall}`).toBeGreaterThanOrEqual(p.time - 0.05);
  }

  // The end of the track: the next one (preloaded on the spare) starts at once.
  await expect(page.getByTestId('now-title')).toHaveText('Midnight Static', { timeout: 30_000 });
  await waitForAudio(page, (a) => a.currentTime > 1);
  const { events, mediaErrors } = await page.evaluate(() => {
    const w = window as unknown as { mediaErrors: string[]; events: Array<{ type: string; wall: number; src: string }> };
    return { events: w.events, mediaErrors: w.mediaErrors };
  });
  const ended = events.find((e) => e.type === 'ended')!;
  const next = events.find((e) => e.type === 'playing' && e.wall > ended.wall)!;
  const gap = next.wall - ended.wall;
  console.log(`[web-e2e] track change: 'ended' → next 'playing' in ${gap.toFixed(0)} ms`);
  expect(gap).toBeLessThan(500);
  expect(mediaErrors).toEqual([]);
});
