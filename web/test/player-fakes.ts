import { PlayerEngine, type AudioLike, type PlayerDeps } from '../src/features/player/player-engine';
import type { StreamFormat } from '../src/features/player/formats';
import type { ProbeResult } from '../src/features/player/playback';
import type { QueueTrack } from '../src/features/player/queue';

/** A stand-in for <audio>: records what the engine does and lets the test fire media events. */
export class FakeAudio implements AudioLike {
  src = '';
  currentTime = 0;
  duration = 100;
  paused = true;
  volume = 1;
  muted = false;
  bufferedTo = 0;
  plays = 0;
  /** What the element failed with (MediaError's code), when a test fires `error`. */
  error: { code: number } | null = null;
  private readonly handlers = new Map<string, Array<() => void>>();
  get buffered() {
    const end = this.bufferedTo;
    return { length: end > 0 ? 1 : 0, start: () => 0, end: () => end };
  }
  play() {
    this.plays += 1;
    this.paused = false;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  attrs = new Map<string, string>();
  removeAttribute(name: string) {
    if (name === 'src') this.src = '';
    this.attrs.delete(name);
  }
  setAttribute(name: string, value: string) {
    this.attrs.set(name, value);
  }
  load() {}
  addEventListener(type: string, fn: () => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), fn]);
  }
  fire(type: string) {
    for (const fn of this.handlers.get(type) ?? []) fn();
  }
}

/** Manual clock and timers. */
export class Clock {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  now = () => this.t;
  set = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clear = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  async advance(ms: number) {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
    await settle();
  }
}

export const settle = () => new Promise((r) => setTimeout(r, 0));
export const track = (id: string): QueueTrack => ({ id, title: id, artists: [], album: null, duration: 100, cover: null });

export function setup(
  opts: {
    maxStreams?: number;
    ticketMs?: number;
    fail?: (trackId: string, n: number) => Error | undefined;
    probe?: () => ProbeResult;
    standby?: boolean;
    canPlay?: (type: string) => boolean;
    mimeType?: (trackId: string, format: StreamFormat) => string;
    /** Holds a ticket request until the promise it returns settles (a slow server). */
    hold?: (trackId: string, n: number) => Promise<void> | undefined;
  } = {},
) {
  const audio = new FakeAudio();
  const standby = opts.standby ? new FakeAudio() : undefined;
  const formats: StreamFormat[] = [];
  let forgotten = 0;
  const clock = new Clock();
  const requests: string[] = [];
  const saved: string[] = [];
  let n = 0;
  const probeResult = { value: opts.probe ?? ((): ProbeResult => 206) };
  const deps: PlayerDeps = {
    audio,
    standby,
    canPlay: opts.canPlay,
    forget: () => (forgotten += 1),
    async requestTicket(trackId, format) {
      requests.push(trackId);
      formats.push(format);
      const nth = requests.length;
      await opts.hold?.(trackId, nth);
      const err = opts.fail?.(trackId, nth);
      if (err) throw err;
      n += 1;
      return { url: `/stream/${trackId}-${n}`, expiresAt: clock.now() + (opts.ticketMs ?? 130_000), mimeType: opts.mimeType?.(trackId, format) };
    },
    probe: async () => probeResult.value(),
    maxStreams: () => opts.maxStreams ?? 3,
    save: (s) => saved.push(s),
    now: clock.now,
    setTimer: clock.set,
    clearTimer: clock.clear,
  };
  const engine = new PlayerEngine(deps);
  return { audio, standby, clock, requests, formats, saved, engine, deps, probeResult, forgotten: () => forgotten };
}
