import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INPUTS, probe, writeAudio, type InputKind } from '../support/audio.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { download, save, untilCached } from '../support/transcode-helpers.js';

// Real FerretDB, Kafka and ffmpeg on a shared machine: generous timeouts.
jest.setTimeout(180_000);

const SECONDS = 12;
const OUTPUTS = [
  { format: 'OPUS', maxBitrate: 96, codec: 'opus', mime: 'audio/ogg', progressive: 'audio/ogg' },
  { format: 'MP3', maxBitrate: 128, codec: 'mp3', mime: 'audio/mpeg', progressive: 'audio/mpeg' },
  { format: 'AAC', maxBitrate: 128, codec: 'aac', mime: 'audio/mp4', progressive: 'audio/aac' },
] as const;

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await startHarness();
  token = h.issuer.sign({ tier: 'PREMIUM' });
  await Promise.all(
    (Object.keys(INPUTS) as InputKind[]).map(async (kind) => {
      const path = join(h.dir, `in-${kind}.${INPUTS[kind].ext}`);
      await writeAudio(path, kind, SECONDS);
      h.addFile(`in-${kind}`, path, INPUTS[kind].mimeType, SECONDS);
    }),
  );
});
afterAll(() => h?.close());

describe.each(Object.keys(INPUTS) as InputKind[])('%s input', (kind) => {
  it.each(OUTPUTS)('→ $format: progressive while made, then cached with Range; codec, bitrate ±10 %, duration ±0.1 s', async (out) => {
    const t = await h.requestPlayback(token, `in-${kind}`, { format: out.format, maxBitrate: out.maxBitrate });
    expect(t).toMatchObject({ format: out.format, bitrate: out.maxBitrate, mimeType: out.mime });

    const live = await download(ticketUrl(h, t.token));
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe(out.progressive);
    expect(live.headers.get('accept-ranges')).toBe('none');
    expect(live.headers.get('content-length')).toBeNull();
    const liveProbe = await probe(save(join(h.dir, `live-${kind}-${out.format}`), live.body));
    expect(liveProbe.codec).toBe(out.codec);

    await untilCached(h, t.token);
    const cached = await download(ticketUrl(h, t.token));
    expect(cached.status).toBe(200);
    expect(cached.headers.get('content-type')).toBe(out.mime);
    expect(Number(cached.headers.get('content-length'))).toBe(cached.body.length);
    const p = await probe(save(join(h.dir, `cached-${kind}-${out.format}`), cached.body));
    expect(p.codec).toBe(out.codec);
    expect(Math.abs(p.duration - SECONDS)).toBeLessThan(0.1);
    expect(Math.abs(p.bitrate / 1000 - out.maxBitrate) / out.maxBitrate).toBeLessThan(0.1);
  });
});
