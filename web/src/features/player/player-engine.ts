import type { AudioLike } from './audio-deck';
import type { StreamFormat } from './formats';
import { Playback, type ProbeResult } from './playback';
import { PlayerState, type PlayerSnapshot } from './player-state';
import * as Q from './queue';
import { TicketError } from './tickets';

export type { AudioLike, PlayerSnapshot };
export { PREFETCH_BEFORE_S, RENEW_BEFORE_MS, TAKEOVER_CHECK_MS } from './playback';

export interface PlayerDeps {
  audio: AudioLike;
  /** A second element: preloads the next track and takes over renewals without a gap. */
  standby?: AudioLike;
  /** requestPlayback: resolves with a same-origin URL, rejects with a TicketError. */
  requestTicket: (trackId: string, format: StreamFormat) => Promise<{ url: string; expiresAt: number; mimeType?: string; format?: StreamFormat }>;
  /** `audio.canPlayType(type) !== ''`; unset: everything plays. */
  canPlay?: (type: string) => boolean;
  /** Signed out: what `save` stored is removed. */
  forget?: () => void;
  /** HEAD of a ticket URL: its status (with Retry-After, in seconds, when given), or 'network'. */
  probe: (url: string) => Promise<ProbeResult>;
  /** Unexpired tickets the plan lets a user hold (FREE: 1): more revokes the oldest. */
  maxStreams: () => number;
  save?: (state: string) => void;
  now?: () => number;
  /** Timers (fake ones in tests). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * The player the app talks to: queue commands and transport, over the snapshot the UI reads
 * (player-state.ts) and the ticketed playback underneath (playback.ts: tickets, prefetch,
 * renewal, and every failure turned into a problem the bar shows, never a stuck player).
 */
export class PlayerEngine {
  private readonly state: PlayerState;
  private readonly playback: Playback;

  constructor(
    private readonly deps: PlayerDeps,
    initial: { queue?: Q.QueueState; position?: number; volume?: number; muted?: boolean } = {},
  ) {
    const now = deps.now ?? Date.now;
    const a = deps.audio;
    a.volume = initial.volume ?? 1;
    a.muted = initial.muted ?? false;
    this.state = new PlayerState(
      {
        queue: initial.queue ?? Q.EMPTY_QUEUE,
        playing: false,
        loading: false,
        position: initial.position ?? 0,
        duration: Q.current(initial.queue ?? Q.EMPTY_QUEUE)?.track.duration ?? 0,
        bufferedEnd: 0,
        volume: a.volume,
        muted: a.muted,
        problem: null,
      },
      deps.save,
      now,
    );
    this.playback = new Playback(
      {
        ...deps,
        now,
        setTimer: deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
        clearTimer: deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
      },
      this.state,
    );
  }

  /** The element playing now (the deck swaps two). */
  private get audio(): AudioLike {
    return this.playback.audio;
  }

  private get snap(): PlayerSnapshot {
    return this.state.snapshot;
  }

  get snapshot(): PlayerSnapshot {
    return this.state.snapshot;
  }

  subscribe = (listener: () => void): (() => void) => this.state.subscribe(listener);

  // ─── queue commands ───
  playTracks(tracks: Q.QueueTrack[], start = 0): Promise<void> {
    this.setQueue(Q.playList(this.snap.queue, tracks, start));
    return this.playback.load(this.snap.queue.index, 0, true);
  }
  playNext(tracks: Q.QueueTrack[]): void {
    const wasEmpty = this.snap.queue.index === -1;
    this.setQueue(Q.playNext(this.snap.queue, tracks));
    if (wasEmpty) void this.playback.load(this.snap.queue.index, 0, true);
  }
  addToQueue(tracks: Q.QueueTrack[]): void {
    const wasEmpty = this.snap.queue.index === -1;
    this.setQueue(Q.addToQueue(this.snap.queue, tracks));
    if (wasEmpty) void this.playback.load(this.snap.queue.index, 0, true);
  }
  move(from: number, to: number): void {
    this.setQueue(Q.move(this.snap.queue, from, to));
  }
  remove(key: string): void {
    const wasCurrent = Q.current(this.snap.queue)?.key === key;
    this.setQueue(Q.remove(this.snap.queue, key));
    if (wasCurrent) void this.playback.load(this.snap.queue.index, 0, this.snap.playing);
  }
  clearUpcoming(): void {
    this.setQueue(Q.clearUpcoming(this.snap.queue));
  }
  jump(index: number): Promise<void> {
    this.setQueue(Q.jump(this.snap.queue, index));
    return this.playback.load(this.snap.queue.index, 0, true);
  }
  toggleShuffle(): void {
    this.setQueue(Q.setShuffle(this.snap.queue, !this.snap.queue.shuffle));
  }
  cycleRepeat(): void {
    this.setQueue(Q.cycleRepeat(this.snap.queue));
  }

  // ─── transport ───
  async play(): Promise<void> {
    const q = this.snap.queue;
    if (q.index === -1) return;
    // Nothing loaded yet (a restored queue) or stopped by a problem: get a ticket and resume there.
    if (!this.playback.ready) return this.playback.load(q.index, this.snap.position, true);
    // A ticket that expired while paused is renewed first (none is while paused).
    await this.playback.resume();
    if (!this.playback.ready) return; // the renewal failed: the bar says why
    this.state.update({ playing: true });
    await this.audio.play().catch(() => this.state.update({ playing: false }));
  }
  pause(): void {
    this.audio.pause();
    this.state.update({ playing: false, loading: false });
    this.state.persist(true);
  }
  toggle(): Promise<void> {
    if (this.snap.playing) {
      this.pause();
      return Promise.resolve();
    }
    return this.play();
  }
  next(): Promise<void> {
    return this.playback.advance(false);
  }
  /** Back to the start when more than 3 s in, else the previous entry. */
  previous(): Promise<void> {
    if (this.audio.currentTime > 3 || Q.previousIndex(this.snap.queue) === null) {
      this.seek(0);
      return Promise.resolve();
    }
    this.setQueue(Q.jump(this.snap.queue, Q.previousIndex(this.snap.queue)!));
    return this.playback.load(this.snap.queue.index, 0, this.snap.playing || true);
  }
  seek(seconds: number): void {
    const t = Math.max(0, Math.min(seconds, this.snap.duration || seconds));
    this.playback.seek(t);
    this.state.update({ position: t });
    this.state.persist(true);
  }
  setVolume(volume: number): void {
    const v = Math.max(0, Math.min(1, volume));
    this.audio.volume = v;
    this.audio.muted = v === 0;
    this.state.update({ volume: v, muted: v === 0 });
    this.state.persist(true);
  }
  toggleMute(): void {
    this.audio.muted = !this.audio.muted;
    this.state.update({ muted: this.audio.muted });
    this.state.persist(true);
  }
  /** Back online (the browser's `online` event): a playback stopped by the network retries at once. */
  online(): void {
    this.playback.online();
  }
  /** Signed out: stop and forget the tickets (the server revoked them). */
  stop(): void {
    this.playback.stop();
  }
  /** Signed out on purpose: stop, empty the queue, and remove what was stored for the next load. */
  forget(): void {
    this.stop();
    this.state.update({ queue: Q.EMPTY_QUEUE, position: 0, duration: 0, bufferedEnd: 0, problem: null });
    this.deps.forget?.();
  }

  private setQueue(queue: Q.QueueState): void {
    this.playback.queueChanged(queue);
    this.state.update({ queue });
    this.state.persist(true);
  }
}

export { TicketError };
