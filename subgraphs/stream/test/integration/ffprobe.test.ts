import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

// Needs Debian's ffmpeg (ffprobe, ffmpeg): `apt-get install -y ffmpeg`.
const run = promisify(execFile);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function probeDuration(url: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', url], {
    timeout: 20_000,
  });
  return Number(stdout.trim());
}

describe('ffprobe reads a ticket URL', () => {
  it('WAV: the exact duration', async () => {
    h.addTrack('wav', 42.5);
    const t = await h.requestPlayback(h.issuer.sign({ tier: 'PREMIUM' }), 'wav');
    expect(await probeDuration(ticketUrl(h, t.token))).toBeCloseTo(42.5, 2);
  }, 30_000);

  it('MP3 (seeks with Range requests to find the tags): the duration', async () => {
    const path = join(h.dir, 'tone.mp3');
    await run(
      'ffmpeg',
      ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=61', '-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '3', '-y', path],
      { timeout: 30_000 },
    );
    h.tracks.set('mp3', { trackId: 'mp3', path, size: statSync(path).size, mtimeMs: Date.now(), mimeType: 'audio/mpeg', durationSeconds: 61 });
    const t = await h.requestPlayback(h.issuer.sign({ tier: 'PREMIUM' }), 'mp3');
    expect(t.mimeType).toBe('audio/mpeg');
    expect(Math.abs((await probeDuration(ticketUrl(h, t.token))) - 61)).toBeLessThan(0.1);
  }, 60_000);
});
