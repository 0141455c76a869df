/// <reference lib="dom" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { probe, writeAudio } from '../../subgraphs/stream/test/support/audio.js';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';
import { gql, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

jest.setTimeout(120_000);

const SECONDS = 20;
const PLAY = `mutation($id: ID!, $format: StreamFormat, $max: Int) {
  requestPlayback(trackId: $id, format: $format, maxBitrate: $max) { url mimeType format bitrate }
}`;
interface Ticket {
  url: string;
  mimeType: string;
  format: string;
  bitrate: number | null;
}

/** Transcoding through the router: relayed like originals, cached with Range, played by Chromium. */
describe('transcoding through the router', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2etc');
  const music = mkdtempSync(join(tmpdir(), 'ytm-music-'));
  const cache = mkdtempSync(join(tmpdir(), 'ytm-transcodes-'));
  let system: System;
  let graphql: string;
  let token: string;
  let trackId: string;
  let browser: Browser;

  const play = async (format: string, max?: number): Promise<Ticket> => {
    const r = await gql<{ requestPlayback: Ticket }>(graphql, PLAY, { id: trackId, format, max: max ?? null }, token);
    expect(r.errors).toBeUndefined();
    return r.data!.requestPlayback;
  };

  beforeAll(async () => {
    await writeAudio(join(music, 'song.flac'), 'FLAC', SECONDS);
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      env: { LOG_LEVEL: 'warn', MUSIC_DIR: music, TRANSCODE_CACHE_DIR: cache, PLAN_FREE_MAX_BITRATE: '96' },
      readyTimeoutMs: 90_000,
    });
    graphql = system.graphqlUrl as string;
    const up = await gql(graphql, SIGN_UP, {
      input: { email: `tc-${randomUUID().slice(0, 8)}@example.com`, password: 'password 1234', displayName: 'Listener' },
    });
    token = up.data!.signUp.accessToken as string;
    trackId = await waitFor(
      async () => (await gql(graphql, '{ tracks(first: 1) { edges { node { id } } } }', {}, token)).data?.tracks.edges[0]?.node.id as string | undefined,
      60_000,
      200,
      'the scan to find the song',
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--autoplay-policy=no-user-gesture-required', '--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    rmSync(music, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('a FREE plan capped at 96 kbit/s: ORIGINAL of a FLAC becomes OPUS 96, and the quota says the cap', async () => {
    expect(await play('ORIGINAL')).toMatchObject({ format: 'OPUS', bitrate: 96, mimeType: 'audio/ogg' });
    const q = await gql(graphql, '{ me { playbackQuota { tier maxBitrate } } }', {}, token);
    expect(q.data?.me.playbackQuota).toEqual({ tier: 'FREE', maxBitrate: 96 });
  });

  it('the router relays a transcode as it is made, then the cached file with Range; ?t= seeks', async () => {
    const t = await play('MP3', 64);
    const live = await fetch(t.url);
    expect([live.status, live.headers.get('accept-ranges'), live.headers.get('content-length')]).toEqual([200, 'none', null]);
    const made = Buffer.from(await live.arrayBuffer());
    const path = join(cache, 'relayed.mp3');
    writeFileSync(path, made);
    expect((await probe(path)).codec).toBe('mp3');

    await waitFor(async () => (await fetch(t.url, { method: 'HEAD' })).headers.get('accept-ranges') === 'bytes', 30_000, 100, 'the cached transcode');
    const whole = Buffer.from(await (await fetch(t.url)).arrayBuffer());
    const part = await fetch(t.url, { headers: { range: 'bytes=2000-2999' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(2000, 3000))).toBe(true);

    const seek = await fetch(`${t.url}?t=${SECONDS - 5}`);
    expect(seek.status).toBe(200);
    const seekPath = join(cache, 'seek.mp3');
    writeFileSync(seekPath, Buffer.from(await seek.arrayBuffer()));
    expect(Math.abs((await probe(seekPath)).duration - 5)).toBeLessThan(0.5);
  });

  it.each([
    ['OPUS', 64],
    ['MP3', 96],
    ['AAC', 96],
  ])('Chromium plays %s in an <audio> element, while it is made and once cached', async (format, max) => {
    const page = await browser.newPage();
    try {
      const t = await play(format, max);
      for (const phase of ['live', 'cached']) {
        if (phase === 'cached') {
          await waitFor(async () => (await fetch(t.url, { method: 'HEAD' })).headers.get('accept-ranges') === 'bytes', 30_000, 100, 'the cached transcode');
        }
        const result = await page.evaluate(async (src) => {
          const audio = document.createElement('audio');
          audio.src = src;
          document.body.append(audio);
          const started = await audio.play().then(
            () => null,
            (e: Error) => e.message,
          );
          const t0 = Date.now();
          while (audio.currentTime < 1.5 && !audio.error && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
          const out = { currentTime: audio.currentTime, error: audio.error?.code ?? null, started, duration: audio.duration };
          audio.pause();
          audio.remove();
          return out;
        }, t.url);
        expect(result).toMatchObject({ error: null, started: null });
        expect(result.currentTime).toBeGreaterThanOrEqual(1.5);
        if (phase === 'cached') expect(Math.abs(result.duration - SECONDS)).toBeLessThan(0.5);
      }
    } finally {
      await page.close();
    }
  });
});
