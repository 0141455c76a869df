import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { probe, soundStartsAt, writeAudio } from '../support/audio.js';
import { rawRequest } from '../support/raw-http.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { alive, download, ffmpegChildren, sampleFfmpegPeak, save, untilCached, untilNoProcesses } from '../support/transcode-helpers.js';

// Real FerretDB, Kafka and ffmpeg on a shared machine: generous timeouts.
jest.setTimeout(120_000);

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await startHarness();
  token = h.issuer.sign({ tier: 'PREMIUM' });
  const long = join(h.dir, 'long.flac');
  await writeAudio(long, 'FLAC', 240);
  h.addFile('long', long, 'audio/flac', 240);
  const marked = join(h.dir, 'marked.flac');
  await writeAudio(marked, 'FLAC', 40, 20); // silent until 20 s
  h.addFile('marked', marked, 'audio/flac', 40);
  const short = join(h.dir, 'short.mp3');
  await writeAudio(short, 'MP3', 15);
  h.addFile('short', short, 'audio/mpeg', 15);
});
afterAll(() => h?.close());

/** Starts a GET and resolves at its response headers; the body is left unread (paused). */
function startGet(url: string): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.pause();
      res.on('error', () => undefined);
      resolve({ res, req });
    });
    req.on('error', reject);
  });
}

/** Reads the rest of a response; `complete` false when the connection was cut before the end. */
function readAll(res: http.IncomingMessage): Promise<{ body: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('close', () => resolve({ body: Buffer.concat(chunks), complete: res.complete }));
    res.resume();
  });
}

/** Resolves once `bytes` more bytes of the response arrived (then pauses it again). */
function received(res: http.IncomingMessage, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const onData = (c: Buffer) => {
      got += c.length;
      if (got < bytes) return;
      res.off('data', onData);
      res.pause();
      resolve();
    };
    res.on('data', onData);
    res.once('close', () => (got < bytes ? reject(new Error('response closed early')) : undefined));
    res.resume();
  });
}

describe('a finished transcode', () => {
  it('answers Range requests with the same bytes as the whole download', async () => {
    const t = await h.requestPlayback(token, 'short', { format: 'OPUS' });
    expect(t.bitrate).toBe(128);
    await download(ticketUrl(h, t.token));
    await untilCached(h, t.token);
    const whole = await download(ticketUrl(h, t.token));
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const size = whole.body.length;
    for (const [range, start, end] of [
      ['bytes=0-0', 0, 0],
      ['bytes=100-9999', 100, 9999],
      [`bytes=${size - 1000}-`, size - 1000, size - 1],
      ['bytes=-777', size - 777, size - 1],
      [`bytes=${Math.floor(size / 2)}-${Math.floor(size / 2) + 65_536}`, Math.floor(size / 2), Math.floor(size / 2) + 65_536],
    ] as const) {
      const part = await download(ticketUrl(h, t.token), { range });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(part.body.equals(whole.body.subarray(start, end + 1))).toBe(true);
    }
    // If-None-Match with the ETag: 304, like an original.
    const again = await download(ticketUrl(h, t.token), { 'if-none-match': whole.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
  });
});

describe('?t= (OpenSubsonic transcodeOffset)', () => {
  it('starts the output within 0.5 s of the offset, in a process of its own', async () => {
    const t = await h.requestPlayback(token, 'marked', { format: 'MP3' });
    const seek = await download(`${ticketUrl(h, t.token)}?t=19.5`);
    expect(seek.status).toBe(200);
    expect(seek.headers.get('accept-ranges')).toBe('none');
    const file = save(join(h.dir, 'seek.mp3'), seek.body);
    // The input is silent until 20 s: from 19.5 s the sound starts 0.5 s in.
    expect(Math.abs((await soundStartsAt(file)) - 0.5)).toBeLessThan(0.5);
    expect(Math.abs((await probe(file)).duration - 20.5)).toBeLessThan(0.5);
    // An offset output is never cached.
    expect((await fetch(ticketUrl(h, t.token), { method: 'HEAD' })).headers.get('accept-ranges')).toBe('none');
  });

  it('refuses a malformed or out-of-range offset with 400 OFFSET_INVALID and starts nothing', async () => {
    const t = await h.requestPlayback(token, 'marked', { format: 'OPUS' });
    for (const q of ['t=-1', 't=abc', 't=40', 't=1e3', 't=99999999']) {
      const r = await rawRequest(`${ticketUrl(h, t.token)}?${q}`);
      expect([r.status, JSON.parse(r.body.toString())]).toEqual([400, { code: 'OFFSET_INVALID' }]);
    }
    expect(h.stream.transcoder.processes).toBe(0);
  });
});

describe('listeners and processes', () => {
  it('a second listener shares the one ffmpeg process and gets the same bytes', async () => {
    const t = await h.requestPlayback(token, 'long', { format: 'AAC', maxBitrate: 96 });
    const first = await startGet(ticketUrl(h, t.token));
    const second = await startGet(ticketUrl(h, t.token));
    expect(h.stream.transcoder.processes).toBe(1);
    const [a, b] = await Promise.all([readAll(first.res), readAll(second.res)]);
    expect(a.complete && b.complete).toBe(true);
    expect(a.body.equals(b.body)).toBe(true);
    await untilNoProcesses(h);
  });

  it('a client that goes away kills its process; one of two leaving does not', async () => {
    const t = await h.requestPlayback(token, 'long', { format: 'OPUS', maxBitrate: 64 });
    const a = await startGet(ticketUrl(h, t.token));
    const b = await startGet(ticketUrl(h, t.token));
    const [pid] = h.stream.transcoder.pids;
    expect(pid).toBeDefined();
    a.req.destroy();
    await waitFor(() => a.res.destroyed, 5_000, 20, 'the first client to be gone');
    // The other listener keeps it alive: it goes on receiving, from the same process.
    await received(b.res, 256 * 1024);
    expect(alive(pid!)).toBe(true);
    expect(h.stream.transcoder.pids).toEqual([pid]);
    b.req.destroy();
    await waitFor(() => !alive(pid!), 10_000, 50, 'the ffmpeg process to exit');
    await untilNoProcesses(h);
    // Nothing half-made was cached.
    expect((await fetch(ticketUrl(h, t.token), { method: 'HEAD' })).headers.get('accept-ranges')).toBe('none');
  });

  it('a seek stream cut off leaves no process behind', async () => {
    const t = await h.requestPlayback(token, 'long', { format: 'MP3', maxBitrate: 128 });
    const a = await startGet(`${ticketUrl(h, t.token)}?t=100`);
    const [pid] = h.stream.transcoder.pids;
    expect(pid).toEqual(expect.any(Number));
    a.req.destroy();
    await waitFor(() => !alive(pid!), 10_000, 50, 'the ffmpeg process to exit');
    await untilNoProcesses(h);
    expect(alive(pid!)).toBe(false);
    expect(h.stream.transcoder.processes).toBe(0);
  });

  it('a new seek of a ticket ends its previous one: one ffmpeg process for a ticket’s seeks, however many are asked for', async () => {
    const t = await h.requestPlayback(token, 'long', { format: 'OPUS', maxBitrate: 64 });
    const seek = (seconds: number) => startGet(`${ticketUrl(h, t.token)}?t=${seconds}`);
    const sampler = sampleFfmpegPeak();
    let peak = 0;
    try {
      const first = await seek(10);
      expect(first.res.statusCode).toBe(200);
      const firstEnded = readAll(first.res);
      const second = await seek(20);
      expect(second.res.statusCode).toBe(200);
      // The first response ends (cut: an incomplete body), its process with it.
      expect((await firstEnded).complete).toBe(false);
      expect(ffmpegChildren()).toBeLessThanOrEqual(1);
      expect(h.stream.transcoder.processes).toBeLessThanOrEqual(1);

      // Six seeks at once on the same ticket (a player scrubbing, or a client trying to take every slot).
      const six = Promise.all(
        [30, 40, 50, 60, 70, 80].map(async (s) => {
          try {
            const got = await seek(s);
            return (await readAll(got.res)).complete ? 'complete' : 'cut';
          } catch {
            return 'cut before its headers';
          }
        }),
      );
      expect((await readAll(second.res)).complete).toBe(false);
      // The one that came last plays to the end; every other one ended early.
      expect((await six).filter((o) => o === 'complete')).toHaveLength(1);
    } finally {
      peak = await sampler.stop();
    }
    expect(peak).toBe(1);
    await untilNoProcesses(h);
  });
});

describe('broken input', () => {
  it('an unreadable file: 500 TRANSCODE_FAILED before any byte, no process left', async () => {
    const path = join(h.dir, 'garbage.flac');
    writeFileSync(path, randomBytes(200_000));
    h.addFile('garbage', path, 'audio/flac', 30);
    const t = await h.requestPlayback(token, 'garbage', { format: 'OPUS' });
    const r = await rawRequest(ticketUrl(h, t.token));
    expect([r.status, JSON.parse(r.body.toString())]).toEqual([500, { code: 'TRANSCODE_FAILED' }]);
    await untilNoProcesses(h);
  });

  it('a truncated file: the stream is cut (never passed off as whole) and nothing is cached', async () => {
    const full = readFileSync(join(h.dir, 'short.mp3'));
    const path = save(join(h.dir, 'truncated.mp3'), full.subarray(0, Math.floor(full.length / 2)));
    h.addFile('truncated', path, 'audio/mpeg', 15);
    const t = await h.requestPlayback(token, 'truncated', { format: 'AAC' });
    const got = await startGet(ticketUrl(h, t.token));
    expect(got.res.statusCode).toBe(200);
    expect((await readAll(got.res)).complete).toBe(false);
    await untilNoProcesses(h);
    expect((await fetch(ticketUrl(h, t.token), { method: 'HEAD' })).headers.get('accept-ranges')).toBe('none');
  });

  it('a file that left the disk: 404 FILE_NOT_FOUND', async () => {
    h.tracks.set('gone', { trackId: 'gone', path: join(h.dir, 'nope.flac'), size: 1, mtimeMs: 0, mimeType: 'audio/flac', durationSeconds: 10 });
    const t = await h.requestPlayback(token, 'gone', { format: 'MP3' });
    const r = await rawRequest(ticketUrl(h, t.token));
    expect([r.status, JSON.parse(r.body.toString())]).toEqual([404, { code: 'FILE_NOT_FOUND' }]);
  });
});
