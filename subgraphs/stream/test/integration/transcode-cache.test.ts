import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { validatorsOf } from '../../src/http/conditional.js';
import { writeAudio } from '../support/audio.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { download, untilCached } from '../support/transcode-helpers.js';

// Real FerretDB, Kafka and ffmpeg on a shared machine: generous timeouts.
jest.setTimeout(120_000);

const cacheDir = mkdtempSync(join(tmpdir(), 'ytm-transcode-cache-'));
const sources = mkdtempSync(join(tmpdir(), 'ytm-transcode-sources-'));
let first: Harness | undefined;
let second: Harness | undefined;
let paused: Harness | undefined;
const pausedCacheDir = mkdtempSync(join(tmpdir(), 'ytm-transcode-cache-paused-'));

beforeAll(async () => {
  await Promise.all(['a', 'b'].map((id) => writeAudio(join(sources, `${id}.flac`), 'FLAC', 40)));
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await paused?.close();
  rmSync(pausedCacheDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(sources, { recursive: true, force: true });
});

const accepts = async (h: Harness, token: string) => (await fetch(ticketUrl(h, token), { method: 'HEAD' })).headers.get('accept-ranges');

it('the cache survives a restart and keeps under TRANSCODE_CACHE_MB, evicting the least recently used', async () => {
  // 40 s of Opus at 128 kbit/s is ~640 kB: two do not fit in 1 MB.
  const env = { TRANSCODE_CACHE_DIR: cacheDir, TRANSCODE_CACHE_MB: '1' };
  first = await startHarness(env);
  first.addFile('a', join(sources, 'a.flac'), 'audio/flac', 40);
  const token = first.issuer.sign({ tier: 'PREMIUM' });
  const a = await first.requestPlayback(token, 'a', { format: 'OPUS' });
  const made = await download(ticketUrl(first, a.token));
  await untilCached(first, a.token);
  const cachedBefore = await download(ticketUrl(first, a.token));
  await first.close();
  first = undefined;

  // A new instance on the same folder serves it at once, with Range, and starts no ffmpeg.
  second = await startHarness(env, {});
  second.addFile('a', join(sources, 'a.flac'), 'audio/flac', 40);
  second.addFile('b', join(sources, 'b.flac'), 'audio/flac', 40);
  const token2 = second.issuer.sign({ tier: 'PREMIUM' });
  const a2 = await second.requestPlayback(token2, 'a', { format: 'OPUS' });
  expect(await accepts(second, a2.token)).toBe('bytes');
  const part = await download(ticketUrl(second, a2.token), { range: 'bytes=1000-1999' });
  expect(part.status).toBe(206);
  expect(part.body.equals(cachedBefore.body.subarray(1000, 2000))).toBe(true);
  expect(second.stream.transcoder.processes).toBe(0);
  expect(made.body.length).toBeGreaterThan(500_000);

  // A second transcode does not fit beside the first: the older one is evicted.
  const b = await second.requestPlayback(token2, 'b', { format: 'OPUS' });
  await download(ticketUrl(second, b.token));
  await untilCached(second, b.token);
  expect(await accepts(second, a2.token)).toBe('none');
  expect(readdirSync(join(cacheDir, 'objects'))).toHaveLength(1);
});

it('a finished transcode keeps its ETag and Last-Modified after a pause: If-Range and If-None-Match still match', async () => {
  const env = { TRANSCODE_CACHE_DIR: pausedCacheDir };
  let h = await startHarness(env);
  h.addFile('a', join(sources, 'a.flac'), 'audio/flac', 40);
  const made = await h.requestPlayback(h.issuer.sign({ tier: 'PREMIUM' }), 'a', { format: 'OPUS' });
  await download(ticketUrl(h, made.token));
  await untilCached(h, made.token);
  await h.close();

  // Made and last played two minutes ago (a pause longer than the minute between recorded uses);
  // the listener holds the validators the object had then.
  const [name] = readdirSync(join(pausedCacheDir, 'objects'));
  const object = join(pausedCacheDir, 'objects', name as string);
  const then = Math.floor((Date.now() - 120_000) / 1000);
  utimesSync(object, then, then);
  const { etag } = validatorsOf(statSync(object).size, statSync(object).mtimeMs);
  const lastModified = new Date(then * 1000).toUTCString();

  paused = h = await startHarness(env);
  h.addFile('a', join(sources, 'a.flac'), 'audio/flac', 40);
  const t = await h.requestPlayback(h.issuer.sign({ tier: 'PREMIUM' }), 'a', { format: 'OPUS' });
  const resumed = await download(ticketUrl(h, t.token), { range: 'bytes=1000-1999', 'if-range': etag });
  expect([resumed.status, resumed.headers.get('etag'), resumed.headers.get('last-modified')]).toEqual([206, etag, lastModified]);
  expect((await download(ticketUrl(h, t.token), { 'if-none-match': etag })).status).toBe(304);
  expect((await download(ticketUrl(h, t.token), { range: 'bytes=0-9', 'if-range': lastModified })).status).toBe(206);
  expect(h.stream.transcoder.processes).toBe(0);
});
