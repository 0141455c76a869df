/** The part of HTMLAudioElement the player uses (a fake in unit tests). */
export interface AudioLike {
  src: string;
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly buffered: { length: number; start(i: number): number; end(i: number): number };
  /** Why the element failed (MediaError), when it did. */
  readonly error?: { readonly code: number } | null;
  volume: number;
  muted: boolean;
  play(): Promise<void>;
  pause(): void;
  removeAttribute(name: string): void;
  setAttribute(name: string, value: string): void;
  load(): void;
  addEventListener(type: string, listener: () => void): void;
}

/** Media events the player reacts to (from the active element only). */
const PLAYER_EVENTS = ['timeupdate', 'progress', 'durationchange', 'waiting', 'playing', 'ended', 'error'];
/** Events the spare is waited on for. */
const SPARE_EVENTS = ['canplay', 'seeked', 'playing', 'error'];

export interface DeckTimers {
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

/** How long the spare may take to be ready before a hand-over falls back to an in-place swap. */
export const HANDOVER_TIMEOUT_MS = 5_000;

/**
 * Two audio elements: the active one plays, the spare loads what comes next (the next track's
 * ticket, or a renewed ticket of the same track) and takes over without a gap. The active element
 * carries `data-active="true"`. Without a spare (unit tests, old callers) everything happens on the
 * one element.
 */
export class AudioDeck {
  private active: AudioLike;
  private spare: AudioLike | undefined;
  private preloaded: string | undefined;
  private handover = 0;
  private handingOver = false;
  private readonly waiters = new Set<{ el: AudioLike; types: string[]; done: (type: string) => void }>();

  constructor(
    primary: AudioLike,
    standby: AudioLike | undefined,
    private readonly timers: DeckTimers,
  ) {
    this.active = primary;
    this.spare = standby;
    primary.setAttribute('data-active', 'true');
    standby?.setAttribute('data-active', 'false');
    for (const el of [primary, standby]) {
      if (!el) continue;
      for (const type of new Set([...SPARE_EVENTS, ...PLAYER_EVENTS]))
        el.addEventListener(type, () => {
          if (type === 'error' && el === this.spare) this.preloaded = undefined; // never hand over a broken source
          for (const w of [...this.waiters]) if (w.el === el && w.types.includes(type)) w.done(type);
        });
    }
  }

  /** The element that plays now. */
  get el(): AudioLike {
    return this.active;
  }

  /** `listener` for `type` events of whichever element is active when they happen. */
  on(type: string, listener: () => void): void {
    for (const el of [this.active, this.spare]) el?.addEventListener(type, () => el === this.active && listener());
  }

  /** Starts loading `url` on the spare, so that `takePreloaded(url)` can start it at once. */
  preload(url: string): void {
    const s = this.spare;
    if (!s || this.preloaded === url || this.handingOver) return;
    this.preloaded = url;
    s.src = url;
    s.load();
  }

  /** When the spare holds `url`: it becomes the active element (at its start) and true. */
  takePreloaded(url: string): boolean {
    if (!this.spare || this.preloaded !== url) return false;
    this.preloaded = undefined;
    this.swap();
    if (this.active.currentTime !== 0) this.active.currentTime = 0;
    return true;
  }

  /** A hand-over under way is abandoned (a seek, a new source); a preloaded next track stays. */
  cancel(): void {
    this.bump();
    if (this.handingOver) this.empty();
  }

  /** The preloaded next track is not wanted any more (a hand-over under way is left alone). */
  dropPreloaded(): void {
    if (this.preloaded !== undefined && !this.handingOver) this.empty();
  }

  /** Nothing on the spare any more: no hand-over, no preloaded track. */
  reset(): void {
    this.bump();
    this.empty();
  }

  /** A new generation: whatever a hand-over waits for is over. */
  private bump(): void {
    this.handover += 1;
    for (const w of [...this.waiters]) w.done('cancelled');
  }

  private empty(): void {
    this.handingOver = false;
    this.preloaded = undefined;
    const s = this.spare;
    if (s && s.src) {
      s.pause();
      s.removeAttribute('src');
      s.load();
    }
  }

  /**
   * The same track from a new URL at the same position, without a gap: the spare loads it and
   * seeks a little ahead of the active element, waits for it to get there, then plays as the
   * active one pauses. False (nothing changed) when there is no spare, nothing plays, or the
   * spare fails or takes too long; the caller then swaps in place.
   */
  async handOver(url: string): Promise<boolean> {
    const s = this.spare;
    const a = this.active;
    if (!s || a.paused) return false;
    this.reset();
    this.handingOver = true;
    const mine = this.handover;
    const live = () => mine === this.handover && !a.paused;
    s.volume = a.volume;
    s.muted = a.muted;
    s.src = url;
    s.currentTime = a.currentTime + 0.3;
    if ((await this.wait(s, ['canplay', 'error'])) !== 'canplay' || !live()) return this.abandon(mine);
    // Ready near the spot: seek precisely ahead of the active element, then start as it arrives.
    const lead = 0.12;
    s.currentTime = a.currentTime + lead;
    if ((await this.wait(s, ['seeked', 'error'])) !== 'seeked' || !live()) return this.abandon(mine);
    const ahead = s.currentTime - a.currentTime;
    if (ahead > 0) await new Promise<void>((r) => this.timers.setTimer(r, Math.min(ahead, lead) * 1000));
    if (!live()) return this.abandon(mine);
    this.handingOver = false;
    const started = s.play();
    this.swap();
    await started.catch(() => undefined);
    return true;
  }

  private abandon(mine: number): false {
    if (mine === this.handover) this.reset();
    return false;
  }

  /** The spare becomes active; the old active one stops and lets go of its source. */
  private swap(): void {
    const old = this.active;
    this.active = this.spare!;
    this.spare = old;
    this.active.volume = old.volume;
    this.active.muted = old.muted;
    this.active.setAttribute('data-active', 'true');
    old.setAttribute('data-active', 'false');
    old.pause();
    old.removeAttribute('src');
    old.load();
  }

  private wait(el: AudioLike, types: string[]): Promise<string> {
    return new Promise((resolve) => {
      const w = {
        el,
        types,
        done: (type: string) => {
          this.waiters.delete(w);
          this.timers.clearTimer(timer);
          resolve(type);
        },
      };
      const timer = this.timers.setTimer(() => w.done('timeout'), HANDOVER_TIMEOUT_MS);
      this.waiters.add(w);
    });
  }
}
