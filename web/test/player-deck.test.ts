import { describe, expect, it } from 'vitest';
import { RENEW_BEFORE_MS, TAKEOVER_CHECK_MS } from '../src/features/player/player-engine';
import { TicketError } from '../src/features/player/tickets';
import { settle, setup, track } from './player-fakes';

describe('PlayerEngine with two elements: gapless renewal and track change', () => {
  it('a renewal while playing: the spare loads the new ticket ahead of the position, then takes over', async () => {
    const { audio, standby, clock, engine, requests } = setup({ standby: true, ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    expect(audio.attrs.get('data-active')).toBe('true');
    audio.currentTime = 20;
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1);
    expect(requests).toEqual(['a', 'a']);
    // The active element plays on while the spare loads the new URL near the same spot.
    expect(standby!.src).toBe('/stream/a-2');
    expect(standby!.currentTime).toBeCloseTo(20.3);
    expect(audio.src).toBe('/stream/a-1');
    expect(audio.paused).toBe(false);
    audio.currentTime = 20.1;
    standby!.fire('canplay');
    await settle();
    expect(standby!.currentTime).toBeCloseTo(20.22); // precisely ahead of the active element
    standby!.fire('seeked');
    await settle();
    await clock.advance(120); // the active element reaches the spare's position
    expect(standby!.paused).toBe(false);
    expect(standby!.attrs.get('data-active')).toBe('true');
    expect(audio.paused).toBe(true);
    expect(audio.src).toBe('');
    expect(audio.attrs.get('data-active')).toBe('false');
    expect(engine.snapshot.problem).toBeNull();
    // Events now come from the new active element only.
    standby!.currentTime = 21;
    standby!.fire('timeupdate');
    expect(engine.snapshot.position).toBe(21);
    audio.currentTime = 99;
    audio.fire('timeupdate');
    expect(engine.snapshot.position).toBe(21);
  });

  it('a spare that fails to load: the renewal swaps in place at the same position', async () => {
    const { audio, standby, clock, engine } = setup({ standby: true, ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 25;
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1);
    standby!.fire('error');
    await settle();
    expect(audio.src).toBe('/stream/a-2');
    expect(audio.currentTime).toBe(25);
    expect(audio.paused).toBe(false);
    expect(standby!.src).toBe('');
    expect(engine.snapshot.problem).toBeNull();
  });

  it('a seek during the hand-over abandons it; the renewal happens in place at the new position', async () => {
    const { audio, standby, clock, engine } = setup({ standby: true, ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    audio.currentTime = 25;
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1);
    engine.seek(70);
    await settle();
    expect(standby!.src).toBe('');
    expect(audio.src).toBe('/stream/a-2');
    expect(audio.currentTime).toBe(70);
  });

  it('the next track is preloaded on the spare and starts from it when the current one ends', async () => {
    const { audio, standby, engine, requests } = setup({ standby: true });
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 85;
    audio.fire('timeupdate');
    await settle();
    expect(requests).toEqual(['a', 'b']);
    expect(standby!.src).toBe('/stream/b-2');
    expect(standby!.paused).toBe(true);
    audio.fire('ended');
    await settle();
    expect(requests).toEqual(['a', 'b']);
    expect(standby!.paused).toBe(false);
    expect(standby!.attrs.get('data-active')).toBe('true');
    expect(audio.src).toBe('');
  });

  it('a preloaded next track that failed to load is loaded afresh on the active element', async () => {
    const { audio, standby, engine } = setup({ standby: true });
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 85;
    audio.fire('timeupdate');
    await settle();
    standby!.fire('error');
    audio.fire('ended');
    await settle();
    expect(audio.src).toBe('/stream/b-2');
    expect(audio.attrs.get('data-active')).toBe('true');
    expect(audio.paused).toBe(false);
  });
});

describe('PlayerEngine: formats', () => {
  const alac = { ...track('alac'), format: { mimeType: 'audio/mp4', codec: 'ALAC' } };
  const mp3 = { ...track('mp3'), format: { mimeType: 'audio/mpeg', codec: 'MPEG 1 Layer 3' } };
  const canPlay = (t: string) => !t.includes('alac') && t !== 'audio/x-ms-wma';

  it('asks for OPUS when canPlayType refuses the original, ORIGINAL otherwise (renewals ask the same)', async () => {
    const { engine, formats, clock } = setup({ canPlay, ticketMs: 60_000 });
    await engine.playTracks([alac, mp3], 0);
    expect(formats).toEqual(['OPUS']);
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1);
    expect(formats).toEqual(['OPUS', 'OPUS']);
    await engine.next();
    expect(formats).toEqual(['OPUS', 'OPUS', 'ORIGINAL']);
  });

  it('a track without its format (an older stored queue): a second ticket as OPUS when the first is unplayable', async () => {
    const { engine, formats, requests, audio } = setup({ canPlay, mimeType: (_id, f) => (f === 'ORIGINAL' ? 'audio/x-ms-wma' : 'audio/ogg') });
    await engine.playTracks([track('old')], 0);
    expect(formats).toEqual(['ORIGINAL', 'OPUS']);
    expect(requests).toEqual(['old', 'old']);
    expect(audio.src).toBe('/stream/old-2');
  });
});

describe('PlayerEngine: sign-out', () => {
  it('forget() stops, empties the queue and removes the stored state', async () => {
    const { engine, audio, forgotten } = setup();
    await engine.playTracks([track('a'), track('b')], 0);
    engine.forget();
    expect(audio.paused).toBe(true);
    expect(audio.src).toBe('');
    expect(engine.snapshot.queue.items).toEqual([]);
    expect(engine.snapshot.playing).toBe(false);
    expect(forgotten()).toBe(1);
  });
});

describe('PlayerEngine: takeover and network, never stuck', () => {
  it('playing from the buffer, a takeover by another device is noticed by the periodic ticket check', async () => {
    const { engine, audio, clock, probeResult } = setup();
    await engine.playTracks([track('a')], 0);
    probeResult.value = () => 403;
    audio.currentTime = 5;
    audio.fire('timeupdate');
    await settle();
    expect(engine.snapshot.problem).toBeNull(); // checked at most every TAKEOVER_CHECK_MS
    await clock.advance(TAKEOVER_CHECK_MS);
    audio.currentTime = 15;
    audio.fire('timeupdate');
    await settle();
    expect(engine.snapshot.problem?.kind).toBe('elsewhere');
    expect(audio.paused).toBe(true);
  });

  it('a renewal after a takeover does not take the stream back', async () => {
    const { engine, clock, probeResult, requests } = setup({ ticketMs: 60_000 });
    await engine.playTracks([track('a')], 0);
    probeResult.value = () => 403;
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1);
    expect(requests).toEqual(['a']);
    expect(engine.snapshot.problem?.kind).toBe('elsewhere');
  });

  it('no ticket while offline: "Connection lost", retried until the server answers, then plays', async () => {
    let offline = true;
    const { engine, clock, audio, requests } = setup({ fail: () => (offline ? new TicketError('NETWORK', 'offline') : undefined) });
    await engine.playTracks([track('a')], 0);
    expect(engine.snapshot.problem?.kind).toBe('network');
    await clock.advance(3_000);
    expect(requests.length).toBe(2);
    expect(engine.snapshot.problem?.kind).toBe('network');
    offline = false;
    await clock.advance(3_000);
    expect(engine.snapshot.problem).toBeNull();
    expect(audio.src).toBe('/stream/a-1');
    expect(audio.paused).toBe(false);
  });
});

describe('PlayerEngine: one stream allowed, renewal and prefetch', () => {
  it('a renewal revokes the prefetched next ticket: it is dropped and fetched again, never played revoked', async () => {
    const { engine, audio, standby, clock, requests } = setup({ standby: true, maxStreams: 1, ticketMs: 60_000 });
    await engine.playTracks([track('a'), track('b')], 0);
    audio.currentTime = 85;
    audio.bufferedTo = 100;
    audio.fire('timeupdate'); // fully buffered: b's ticket (revoking a's) and preloaded
    await settle();
    expect(requests).toEqual(['a', 'b']);
    expect(standby!.src).toBe('/stream/b-2');
    await clock.advance(60_000 - RENEW_BEFORE_MS + 1); // a's renewal revokes b's ticket
    expect(requests).toEqual(['a', 'b', 'a']);
    standby!.fire('canplay');
    await settle();
    standby!.fire('seeked');
    await settle();
    await clock.advance(200);
    const active = standby!.attrs.get('data-active') === 'true' ? standby! : audio;
    const spare = active === audio ? standby! : audio;
    expect(active.src).toBe('/stream/a-3');
    expect(spare.src).toBe('');
    active.currentTime = 86;
    active.bufferedTo = 100;
    active.fire('timeupdate'); // fetched again
    await settle();
    expect(requests).toEqual(['a', 'b', 'a', 'b']);
    expect(spare.src).toBe('/stream/b-4');
    active.fire('ended');
    await settle();
    expect(requests).toEqual(['a', 'b', 'a', 'b']);
    expect(spare.attrs.get('data-active')).toBe('true');
    expect(spare.paused).toBe(false);
  });
});

describe('PlayerEngine: the early ticket follows the queue (one per next entry)', () => {
  /** `times` timeupdates near the end of the playing track (about 4 a second in a browser). */
  async function nearEnd(audio: { currentTime: number; fire(type: string): void }, times: number) {
    for (let i = 0; i < times; i++) {
      audio.currentTime = 85 + i * 0.25;
      audio.fire('timeupdate');
      await settle();
    }
  }

  it('Play next after the early ticket: the old one is dropped with its preload, the new next entry gets one ticket, not one per timeupdate', async () => {
    const { audio, standby, engine, requests } = setup({ standby: true });
    await engine.playTracks([track('a'), track('b')], 0);
    await nearEnd(audio, 1);
    expect(requests).toEqual(['a', 'b']);
    expect(standby!.src).toBe('/stream/b-2');
    engine.playNext([track('c')]);
    expect(standby!.src).toBe(''); // b's preload is gone with its ticket
    await nearEnd(audio, 20);
    expect(requests).toEqual(['a', 'b', 'c']);
    expect(standby!.src).toBe('/stream/c-3');
    audio.fire('ended');
    await settle();
    expect(requests).toEqual(['a', 'b', 'c']); // c starts from its early ticket
    expect(engine.snapshot.queue.items[engine.snapshot.queue.index]!.track.id).toBe('c');
    expect(standby!.attrs.get('data-active')).toBe('true');
  });

  it('a reorder while the early ticket is on its way: that ticket is not kept, and the new next entry gets exactly one', async () => {
    let release!: () => void;
    const { audio, standby, engine, requests } = setup({
      standby: true,
      hold: (id) => (id === 'b' ? new Promise<void>((r) => (release = r)) : undefined),
    });
    await engine.playTracks([track('a'), track('b'), track('c')], 0);
    await nearEnd(audio, 1);
    expect(requests).toEqual(['a', 'b']);
    engine.move(2, 1); // c is next now
    release();
    await settle();
    expect(standby!.src).toBe('');
    await nearEnd(audio, 20);
    expect(requests).toEqual(['a', 'b', 'c']);
    audio.fire('ended');
    await settle();
    expect(requests).toEqual(['a', 'b', 'c']);
    expect(engine.snapshot.queue.items[engine.snapshot.queue.index]!.track.id).toBe('c');
  });

  it('an early ticket that was refused is not asked for again at every timeupdate (the track change asks once more)', async () => {
    const { audio, engine, requests } = setup({ fail: (id, n) => (id === 'b' && n === 2 ? new TicketError('OTHER', 'busy') : undefined) });
    await engine.playTracks([track('a'), track('b')], 0);
    await nearEnd(audio, 20);
    expect(requests).toEqual(['a', 'b']);
    audio.fire('ended');
    await settle();
    expect(requests).toEqual(['a', 'b', 'b']);
    expect(audio.src).toBe('/stream/b-2');
  });
});
