import { describe, expect, it } from 'vitest';
import { PlayerEngine, RENEW_BEFORE_MS } from '../src/features/player/player-engine';
import { retryAfterSeconds, TicketError } from '../src/features/player/tickets';
import { settle, setup, track } from './player-fakes';

describe('PlayerEngine: tickets', () => {
  it('plays through a ticket, prefetches the next one before the end and uses it on ended', async () => {
    const { audio, engine, requests } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    expect(audio.src).toBe('/stream/a-1');
    expect(engine.snapshot.playing).toBe(true);
    audio.currentTime = 85;
    audio.fire('timeupdate');
    await settle();
    expect(requests).toEqual(['a', 'b']);
    audio.fire('ended');
    await settle();
    expect(audio.src).toBe('/stream/b-2');
    expect(requests).toEqual(['a', 'b']); // no request at the track change: near gapless
    expect(audio.plays).toBe(2);
  });

  it('with one stream allowed, prefetches only once the current track is fully buffered (a new ticket revokes the old)', async () => {
    const { audio, engine, requests } = setup({ maxStreams: 1 });
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 85;
    audio.bufferedTo = 90;
    audio.fire('timeupdate');
    await settle();
    expect(requests).toEqual(['a']);
    audio.bufferedTo = 100;
    audio.fire('timeupdate');
    await settle();
    expect(requests).toEqual(['a', 'b']);
  });

  it('renews a ticket before it expires, in place: same position, still playing', async () => {
    const { audio, clock, engine, requests } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 42.5;
    await clock.advance(60_000 - RENEW_BEFORE_MS - 1);
    expect(requests).toEqual(['a']);
    await clock.advance(2);
    expect(requests).toEqual(['a', 'a']);
    expect(audio.src).toBe('/stream/a-2');
    expect(audio.currentTime).toBe(42.5);
    expect(audio.paused).toBe(false);
    expect(engine.snapshot.problem).toBeNull();
  });

  it('a paused track is not renewed, however long the pause (each ticket counts as a play); play renews it first, at the same place', async () => {
    const { audio, clock, engine, requests } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 10;
    engine.pause();
    const plays = audio.plays;
    for (let i = 0; i < 8 * 120; i++) await clock.advance(30_000); // 8 hours
    expect(requests).toEqual(['a']);
    expect(audio.src).toBe('/stream/a-1');
    expect(audio.plays).toBe(plays);
    await engine.play();
    expect(requests).toEqual(['a', 'a']);
    expect(audio.src).toBe('/stream/a-2');
    expect(audio.currentTime).toBe(10);
    expect(audio.paused).toBe(false);
    expect(engine.snapshot.playing).toBe(true);
    expect(engine.snapshot.problem).toBeNull();
  });

  it('after a short pause play keeps the ticket, and its renewal comes on schedule again', async () => {
    const { audio, clock, engine, requests } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    engine.pause();
    await clock.advance(5_000);
    await engine.play();
    expect(requests).toEqual(['a']);
    expect(audio.paused).toBe(false);
    await clock.advance(60_000 - RENEW_BEFORE_MS - 5_000 + 1);
    expect(requests).toEqual(['a', 'a']);
    expect(audio.src).toBe('/stream/a-2');
  });

  it('the queue played to its end: no renewals afterwards', async () => {
    const { audio, clock, engine, requests } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    audio.fire('ended');
    await settle();
    for (let i = 0; i < 20; i++) await clock.advance(30_000);
    expect(requests).toEqual(['a']);
  });
});

describe('PlayerEngine: problems never leave it stuck', () => {
  it('QUOTA_EXCEEDED is shown and play tries again', async () => {
    let quotaLeft = false;
    const { engine, audio } = setup({ fail: () => (quotaLeft ? undefined : new TicketError('QUOTA_EXCEEDED', 'no')) });
    await engine.playTracks([track('a')], 0);
    expect(engine.snapshot.problem?.kind).toBe('quota');
    expect(engine.snapshot.problem?.message).toMatch(/play limit/);
    expect(engine.snapshot.playing).toBe(false);
    quotaLeft = true;
    await engine.play();
    expect(engine.snapshot.problem).toBeNull();
    expect(audio.src).toBe('/stream/a-1');
  });

  it('a ticket revoked by another device: "Playing on another device", paused; play takes over at the same place', async () => {
    const { engine, audio, probeResult, requests } = setup();
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 30;
    probeResult.value = () => 403;
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem).toEqual({ kind: 'elsewhere', message: expect.stringMatching(/another device/) });
    expect(audio.paused).toBe(true);
    probeResult.value = () => 206;
    await engine.play();
    expect(requests).toEqual(['a', 'a']);
    expect(audio.currentTime).toBe(30);
    expect(engine.snapshot.problem).toBeNull();
  });

  it('a ticket revoked by our own newer one (one stream allowed) is replaced silently', async () => {
    const { engine, audio, probeResult, requests } = setup({ maxStreams: 1 });
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 85;
    audio.bufferedTo = 100;
    audio.fire('timeupdate'); // prefetches b, which revokes a's ticket on the server
    await settle();
    audio.currentTime = 20; // a seek back past the buffer needs a's ticket again
    probeResult.value = () => 403;
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem).toBeNull();
    expect(requests).toEqual(['a', 'b', 'a']);
    expect(audio.currentTime).toBe(20);
    expect(audio.paused).toBe(false);
  });

  it('an expired ticket (401) is renewed at the same position', async () => {
    const { engine, audio, probeResult, requests } = setup();
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 12;
    probeResult.value = () => 401;
    audio.fire('error');
    await settle();
    expect(requests).toEqual(['a', 'a']);
    expect(audio.currentTime).toBe(12);
    expect(engine.snapshot.problem).toBeNull();
  });

  it('network loss is shown, retried, and playback resumes where it stopped', async () => {
    const { engine, audio, probeResult, clock, requests } = setup();
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 50;
    probeResult.value = () => 'network';
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.kind).toBe('network');
    await clock.advance(3_000);
    expect(engine.snapshot.problem?.kind).toBe('network'); // still offline
    probeResult.value = () => 206;
    await clock.advance(3_000);
    expect(engine.snapshot.problem).toBeNull();
    expect(requests).toEqual(['a', 'a']);
    expect(audio.currentTime).toBe(50);
    expect(audio.paused).toBe(false);
  });

  it('an unplayable file is reported and skipped', async () => {
    const { engine, audio, probeResult, clock } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    probeResult.value = () => 404;
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.kind).toBe('unplayable');
    probeResult.value = () => 206;
    await clock.advance(1_500);
    expect(audio.src).toBe('/stream/b-2');
  });
});

describe('PlayerEngine: persistence', () => {
  it('stores queue and position; a new engine resumes there on play', async () => {
    const first = setup();
    await first.engine.playTracks([track('a'), track('b')], 1);
    first.audio.currentTime = 33;
    first.engine.pause();
    first.engine.seek(33);
    const stored = JSON.parse(first.saved.at(-1)!) as { queue: never; position: number; volume: number };
    expect(stored.position).toBe(33);
    const second = setup();
    const engine = new PlayerEngine(second.deps, stored);
    expect(engine.snapshot.queue.items.map((i) => i.track.id)).toEqual(['a', 'b']);
    await engine.play();
    expect(second.requests).toEqual(['b']);
    expect(second.audio.currentTime).toBe(33);
  });
});

describe('PlayerEngine: a busy server is waited for, never skipped through', () => {
  it('503 with Retry-After: "retrying" shown, the same track retried at the same place after that long, no new ticket, no skip', async () => {
    const { engine, audio, probeResult, clock, requests } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 30;
    probeResult.value = () => ({ status: 503, retryAfter: 5 });
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem).toEqual({ kind: 'retrying', message: expect.stringMatching(/busy.*5 s/) });
    expect(engine.snapshot.playing).toBe(true);
    audio.currentTime = 0; // the failed element starts over
    await clock.advance(4_900);
    expect(audio.plays).toBe(1);
    await clock.advance(100);
    expect(audio.src).toBe('/stream/a-1');
    expect(audio.currentTime).toBe(30);
    expect(audio.plays).toBe(2);
    audio.fire('playing');
    expect(engine.snapshot.problem).toBeNull();
    await clock.advance(10_000);
    expect(engine.snapshot.queue.index).toBe(0);
    expect(requests).toEqual(['a']); // each ticket counts as a play: none spent on the retries
  });

  it('429 without Retry-After backs off (2 s, 4 s, …) and keeps the track; a very long Retry-After is capped', async () => {
    const { engine, audio, probeResult, clock } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    probeResult.value = () => 429;
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.message).toMatch(/2 s/);
    await clock.advance(2_000);
    expect(audio.plays).toBe(2);
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.message).toMatch(/4 s/);
    probeResult.value = () => ({ status: 503, retryAfter: 86_400 });
    await clock.advance(4_000);
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.message).toMatch(/60 s/);
    expect(audio.src).toBe('/stream/a-1');
    expect(engine.snapshot.queue.index).toBe(0);
  });

  it('a renewal during the wait: the retry plays the renewed ticket', async () => {
    const { engine, audio, probeResult, clock, requests } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 20;
    probeResult.value = () => ({ status: 503, retryAfter: 50 });
    audio.fire('error');
    await settle();
    probeResult.value = () => 206;
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1);
    expect(requests).toEqual(['a', 'a']);
    await clock.advance(20_000);
    expect(audio.src).toBe('/stream/a-2');
    expect(audio.currentTime).toBe(20);
    expect(audio.paused).toBe(false);
    expect(engine.snapshot.problem).toBeNull();
  });

  it('a check that answers 200 (a transcoded stream) retries the track instead of skipping it', async () => {
    const { engine, audio, probeResult, clock } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 12;
    probeResult.value = () => 200;
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.kind).toBe('retrying');
    await clock.advance(2_000);
    expect(audio.src).toBe('/stream/a-1');
    expect(audio.currentTime).toBe(12);
    expect(engine.snapshot.queue.index).toBe(0);
  });

  it('a stream the check finds fine but that keeps failing is retried a few times, then skipped', async () => {
    const { engine, audio, probeResult, clock } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    probeResult.value = () => 206;
    for (const wait of [2_000, 4_000, 8_000, 16_000, 32_000]) {
      audio.fire('error');
      await settle();
      expect(engine.snapshot.problem?.kind).toBe('retrying');
      await clock.advance(wait);
    }
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.kind).toBe('unplayable');
    await clock.advance(1_500);
    expect(audio.src).toBe('/stream/b-2');
  });

  it('Retry-After is read as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });

  it('a media decode error is skipped (the file itself is broken)', async () => {
    const { engine, audio, clock } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    audio.error = { code: 3 }; // MEDIA_ERR_DECODE
    audio.fire('error');
    await settle();
    expect(engine.snapshot.problem?.kind).toBe('unplayable');
    audio.error = null;
    await clock.advance(1_500);
    expect(audio.src).toBe('/stream/b-2');
  });
});

describe('PlayerEngine: a track change waiting for its ticket', () => {
  it('Next with a slow ticket: the old track stops at once, its timeupdate and ended are ignored, nothing is skipped', async () => {
    let release!: () => void;
    const { engine, audio, requests } = setup({ hold: (id) => (id === 'b' ? new Promise<void>((r) => (release = r)) : undefined) });
    await engine.playTracks([track('a'), track('b'), track('c')], 0);
    audio.currentTime = 50;
    const next = engine.next();
    await settle();
    expect(requests).toEqual(['a', 'b']);
    expect(audio.paused).toBe(true); // not playing on under the new title
    expect(engine.snapshot.position).toBe(0);
    // Late events of the old source: neither the seek bar nor the queue follows them.
    audio.currentTime = 99.9;
    audio.fire('timeupdate');
    expect(engine.snapshot.position).toBe(0);
    audio.fire('ended');
    await settle();
    expect(engine.snapshot.queue.index).toBe(1);
    expect(requests).toEqual(['a', 'b']);
    release();
    await next;
    expect(audio.src).toBe('/stream/b-2');
    expect(audio.paused).toBe(false);
    expect(engine.snapshot.queue.index).toBe(1);
    audio.currentTime = 3;
    audio.fire('timeupdate');
    expect(engine.snapshot.position).toBe(3);
  });
});

describe('PlayerEngine: a track gone from the library', () => {
  it('a ticket answered NOT_FOUND: said, then skipped like an unplayable file; the queue goes on', async () => {
    const { engine, audio, clock, requests } = setup({ fail: (id) => (id === 'b' ? new TicketError('NOT_FOUND', 'gone') : undefined) });
    await engine.playTracks([track('a'), track('b'), track('c')], 0);
    audio.fire('ended');
    await settle();
    expect(engine.snapshot.problem).toEqual({ kind: 'unplayable', message: expect.stringMatching(/no longer in the library/) });
    await clock.advance(1_500);
    expect(requests).toEqual(['a', 'b', 'c']);
    expect(audio.src).toBe('/stream/c-2');
    expect(audio.paused).toBe(false);
    expect(engine.snapshot.queue.index).toBe(2);
  });
});
