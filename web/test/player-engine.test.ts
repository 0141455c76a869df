import { describe, expect, it } from 'vitest';
import { PlayerEngine, RENEW_BEFORE_MS } from '../src/features/player/player-engine';
import { TicketError } from '../src/features/player/tickets';
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

  it('a paused track renews silently and stays paused', async () => {
    const { audio, clock, engine } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 10;
    engine.pause();
    const plays = audio.plays;
    await clock.advance(31_000);
    expect(audio.src).toBe('/stream/a-2');
    expect(audio.paused).toBe(true);
    expect(audio.plays).toBe(plays);
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
