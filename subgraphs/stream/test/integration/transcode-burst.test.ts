import { linkSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { writeAudio } from '../support/audio.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { ffmpegChildren, sampleFfmpegPeak, untilNoProcesses } from '../support/transcode-helpers.js';

// Real FerretDB, Kafka and ffmpeg on a shared machine: generous timeouts.
jest.setTimeout(600_000);

const BURST = 600;
const MAX_TRANSCODES = 2;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    MAX_TRANSCODES: String(MAX_TRANSCODES),
    TRANSCODE_QUEUE_LENGTH: '4',
    TRANSCODE_QUEUE_WAIT_MS: '1000',
    // 25 tickets at a time on a loaded machine: the library lookup's 1 s deadline is not what this test is about.
    LIBRARY_DEADLINE_MS: '10000',
    // An offline download of 600 tracks by six users, every ticket open at once.
    PLAN_RULES: JSON.stringify({ FREE: { dailyLimit: null, maxConcurrentStreams: 100 }, PREMIUM: { dailyLimit: null, maxConcurrentStreams: 100 } }),
  });
  const source = join(h.dir, 'source.mp3');
  await writeAudio(source, 'MP3', 6);
  // 600 distinct tracks (own paths), one file's worth of disk.
  for (let i = 0; i < BURST; i++) {
    const path = join(h.dir, `t${i}.mp3`);
    linkSync(source, path);
    h.addFile(`t${i}`, path, 'audio/mpeg', 6);
  }
});
afterAll(() => h?.close());

it(`a burst of ${BURST} transcode requests: never more than MAX_TRANSCODES processes, the rest 503 with Retry-After, nothing crashes`, async () => {
  const users = Array.from({ length: BURST / 100 }, () => h.issuer.sign({ userId: randomUUID(), tier: 'PREMIUM' }));
  // Tickets first (not what this test is about): one refused with SERVICE_UNAVAILABLE (the store's
  // writes queued past their bound on a loaded machine; nothing was written) is asked again, as a client does.
  const ticket = async (user: string, trackId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await h.requestPlayback(user, trackId, { format: 'OPUS', maxBitrate: 64 });
      } catch (err) {
        if ((err as { code?: string }).code !== 'SERVICE_UNAVAILABLE' || attempt === 5) throw err;
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  };
  const tickets: string[] = [];
  for (let i = 0; i < BURST; i += 25) {
    const batch = await Promise.all(Array.from({ length: 25 }, (_, k) => ticket(users[Math.floor((i + k) / 100)]!, `t${i + k}`)));
    tickets.push(...batch.map((t) => t.token));
  }

  const sampler = sampleFfmpegPeak();
  const results: RawResponse[] = await Promise.all(tickets.map((t) => rawRequest(ticketUrl(h, t))));
  const peak = await sampler.stop();

  const ok = results.filter((r) => r.status === 200);
  const busy = results.filter((r) => r.status === 503);
  expect(ok.length + busy.length).toBe(BURST);
  expect(ok.length).toBeGreaterThanOrEqual(MAX_TRANSCODES);
  for (const r of busy) {
    expect(JSON.parse(r.body.toString())).toEqual({ code: 'TRANSCODE_BUSY' });
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }
  for (const r of ok) expect(r.body.length).toBeGreaterThan(10_000);
  expect(peak).toBeGreaterThan(0);
  expect(peak).toBeLessThanOrEqual(MAX_TRANSCODES);
  expect(h.stream.limiter.peak).toBeLessThanOrEqual(MAX_TRANSCODES);
  await untilNoProcesses(h);
  expect(ffmpegChildren()).toBe(0);

  // Still serving: health, and a retried request gets its transcode.
  expect((await fetch(`${h.baseUrl}/health`)).status).toBe(200);
  const retry = await rawRequest(ticketUrl(h, tickets[tickets.length - 1]!));
  expect(retry.status).toBe(200);
});
