import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { probe, writeAudio } from '../support/audio.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { download, save, untilNoProcesses } from '../support/transcode-helpers.js';

// Real FerretDB, Kafka and ffmpeg on a shared machine: generous timeouts.
jest.setTimeout(120_000);

let h: Harness;
const QUOTA = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { playbackQuota { tier maxBitrate } } } }';
const PLAYED = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { recentlyPlayed(first: 5) { track { id } completed } } } }';
const user = (tier: 'FREE' | 'PREMIUM') => ({ userId: `u-${randomUUID()}`, sessionId: `s-${randomUUID()}`, tier });

beforeAll(async () => {
  h = await startHarness({ PLAN_FREE_MAX_BITRATE: '96' });
  const specs = [
    ['flac', 'FLAC', 'audio/flac', 12, undefined],
    ['mp3', 'MP3', 'audio/mpeg', 12, undefined],
    ['opus', 'OPUS', 'audio/ogg', 12, ['-c:a', 'libopus', '-b:a', '64k']], // under the cap
    ['long', 'FLAC', 'audio/flac', 240, undefined],
  ] as const;
  await Promise.all(
    specs.map(async ([id, kind, mime, seconds, encoder]) => {
      const path = join(h.dir, `${id}.${kind.toLowerCase()}`);
      await writeAudio(path, kind, seconds, 0, encoder);
      h.addFile(id, path, mime, seconds, kind === 'MP3' ? 256_000 : undefined);
    }),
  );
});
afterAll(() => h?.close());

describe('plan caps (PLAN_FREE_MAX_BITRATE=96, PREMIUM unset)', () => {
  it('PlaybackQuota.maxBitrate says the cap', async () => {
    for (const [tier, maxBitrate] of [
      ['FREE', 96],
      ['PREMIUM', null],
    ] as const) {
      const u = user(tier);
      const r = await h.graphql<{ _entities: Array<{ playbackQuota: unknown }> }>(QUOTA, { r: [{ __typename: 'User', id: u.userId }] }, h.issuer.sign(u));
      expect(r.data?._entities[0]?.playbackQuota).toEqual({ tier, maxBitrate });
    }
  });

  it('FREE asking ORIGINAL of a file above the cap gets a transcode, and the ticket says so', async () => {
    const access = h.issuer.sign(user('FREE'));
    const t = await h.requestPlayback(access, 'flac');
    expect(t).toMatchObject({ format: 'OPUS', bitrate: 96, mimeType: 'audio/ogg' });
    const body = await download(ticketUrl(h, t.token));
    expect(body.status).toBe(200);
    expect((await probe(save(join(h.dir, 'free-flac.ogg'), body.body))).codec).toBe('opus');
    expect(await h.requestPlayback(access, 'mp3')).toMatchObject({ format: 'MP3', bitrate: 96, mimeType: 'audio/mpeg' });
    // A file under the cap stays the original.
    expect(await h.requestPlayback(access, 'opus')).toMatchObject({ format: 'ORIGINAL', bitrate: null, mimeType: 'audio/ogg' });
  });

  it('PREMIUM keeps originals; asked formats get min(asked, plan, default)', async () => {
    const premium = h.issuer.sign(user('PREMIUM'));
    expect(await h.requestPlayback(premium, 'flac')).toMatchObject({ format: 'ORIGINAL', bitrate: null, mimeType: 'audio/flac' });
    expect(await h.requestPlayback(premium, 'flac', { format: 'MP3' })).toMatchObject({ format: 'MP3', bitrate: 192 });
    expect(await h.requestPlayback(premium, 'flac', { format: 'AAC', maxBitrate: 160 })).toMatchObject({ format: 'AAC', bitrate: 160 });
    expect(await h.requestPlayback(h.issuer.sign(user('FREE')), 'flac', { format: 'AAC', maxBitrate: 160 })).toMatchObject({ format: 'AAC', bitrate: 96 });
  });

  it('bad input: BAD_USER_INPUT for maxBitrate, a validation error for an unknown format; no ticket', async () => {
    const access = h.issuer.sign(user('PREMIUM'));
    await expect(h.requestPlayback(access, 'flac', { format: 'OPUS', maxBitrate: 8 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(h.requestPlayback(access, 'flac', { format: 'WMA' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('play rules on transcoded streams', () => {
  it('a transcoded play counts at half of a short track, as an original does', async () => {
    const u = user('PREMIUM');
    const t = await h.requestPlayback(h.issuer.sign(u), 'mp3', { format: 'OPUS', maxBitrate: 64 });
    await download(ticketUrl(h, t.token));
    const played = await waitFor(
      async () => {
        const r = await h.graphql<{ _entities: Array<{ recentlyPlayed: Array<{ completed: boolean }> }> }>(
          PLAYED,
          { r: [{ __typename: 'User', id: u.userId }] },
          h.issuer.sign(u),
        );
        const recent = r.data?._entities[0]?.recentlyPlayed ?? [];
        return recent[0]?.completed === true ? recent : undefined;
      },
      5_000,
      100,
      'the completed play',
    );
    expect(played).toHaveLength(1);
    expect(played[0]).toMatchObject({ completed: true });
  });

  it('a new ticket beyond the concurrent streams revokes the old one: its live transcode is cut and its process ends', async () => {
    const u = user('FREE'); // one concurrent stream
    const first = await h.requestPlayback(h.issuer.sign(u), 'long', { format: 'MP3', maxBitrate: 64 });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(ticketUrl(h, first.token), { agent: false }, resolve).on('error', reject);
    });
    res.pause();
    expect(res.statusCode).toBe(200);
    const closed = new Promise<boolean>((resolve) => res.on('close', () => resolve(res.complete)));
    res.on('error', () => undefined);
    await h.requestPlayback(h.issuer.sign({ ...u, sessionId: `other-${randomUUID()}` }), 'mp3');
    res.resume();
    expect(await closed).toBe(false);
    await untilNoProcesses(h);
  });
});
