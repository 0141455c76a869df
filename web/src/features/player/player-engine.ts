import * as Q from './queue';
import { problemOf, TicketError, type PlayerProblem, type Ticket } from './tickets';

/** The part of HTMLAudioElement the engine uses (a fake in unit tests). */
export interface AudioLike {
  src: string;
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly buffered: { length: number; start(i: number): number; end(i: number): number };
  volume: number;
  muted: boolean;
  play(): Promise<void>;
  pause(): void;
  removeAttribute(name: 'src'): void;
  load(): void;
  addEventListener(type: string, listener: () => void): void;
}

export interface PlayerDeps {
  audio: AudioLike;
  /** requestPlayback: resolves with a same-origin URL, rejects with a TicketError. */
  requestTicket: (trackId: string) => Promise<{ url: string; expiresAt: number }>;
  /** HEAD of a ticket URL: its status, or 'network' when the server cannot be reached. */
  probe: (url: string) => Promise<number | 'network'>;
  /** Unexpired tickets the plan lets a user hold (FREE: 1): more revokes the oldest. */
  maxStreams: () => number;
  save?: (state: string) => void;
  now?: () => number;
  /** Timers (fake ones in tests). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface PlayerSnapshot {
  queue: Q.QueueState;
  /** The listener wants sound (the bar shows pause). */
  playing: boolean;
  /** Waiting for a ticket or for data. */
  loading: boolean;
  position: number;
  duration: number;
  bufferedEnd: number;
  volume: number;
  muted: boolean;
  problem: PlayerProblem | null;
}

/** Renew a ticket this long before it expires; prefetch the next one this long before a track ends. */
export const RENEW_BEFORE_MS = 30_000;
export const PREFETCH_BEFORE_S = 20;
const NETWORK_RETRY_MS = 3_000;

/**
 * Playback through tickets: fetches one per track, prefetches the next near the end (when that
 * cannot revoke the current one), renews an expiring one in place (same position, no reload of
 * the page's state), and turns every failure into a `problem` the bar shows, never a stuck player.
 */
export class PlayerEngine {
  private snap: PlayerSnapshot;
  private readonly listeners = new Set<() => void>();
  private ticket: Ticket | undefined;
  private prefetched: { key: string; ticket: Ticket } | undefined;
  private prefetching = false;
  private seq = 0;
  private loadSeq = 0;
  private renewTimer: unknown;
  private retryTimer: unknown;
  private lastSave = 0;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(
    private readonly deps: PlayerDeps,
    initial: { queue?: Q.QueueState; position?: number; volume?: number; muted?: boolean } = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    const a = deps.audio;
    a.volume = initial.volume ?? 1;
    a.muted = initial.muted ?? false;
    this.snap = {
      queue: initial.queue ?? Q.EMPTY_QUEUE,
      playing: false,
      loading: false,
      position: initial.position ?? 0,
      duration: Q.current(initial.queue ?? Q.EMPTY_QUEUE)?.track.duration ?? 0,
      bufferedEnd: 0,
      volume: a.volume,
      muted: a.muted,
      problem: null,
    };
    a.addEventListener('timeupdate', () => this.onTime());
    a.addEventListener('progress', () => this.update({ bufferedEnd: this.bufferedEnd() }));
    a.addEventListener('durationchange', () => Number.isFinite(a.duration) && this.update({ duration: a.duration }));
    a.addEventListener('waiting', () => this.update({ loading: true }));
    a.addEventListener('playing', () => this.update({ loading: false, problem: null }));
    a.addEventListener('ended', () => void this.advance(true));
    a.addEventListener('error', () => void this.onMediaError());
  }

  get snapshot(): PlayerSnapshot {
    return this.snap;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  // ─── queue commands ───
  playTracks(tracks: Q.QueueTrack[], start = 0): Promise<void> {
    this.setQueue(Q.playList(this.snap.queue, tracks, start));
    return this.load(this.snap.queue.index, 0, true);
  }
  playNext(tracks: Q.QueueTrack[]): void {
    const wasEmpty = this.snap.queue.index === -1;
    this.setQueue(Q.playNext(this.snap.queue, tracks));
    if (wasEmpty) void this.load(this.snap.queue.index, 0, true);
  }
  addToQueue(tracks: Q.QueueTrack[]): void {
    const wasEmpty = this.snap.queue.index === -1;
    this.setQueue(Q.addToQueue(this.snap.queue, tracks));
    if (wasEmpty) void this.load(this.snap.queue.index, 0, true);
  }
  move(from: number, to: number): void {
    this.setQueue(Q.move(this.snap.queue, from, to));
  }
  remove(key: string): void {
    const wasCurrent = Q.current(this.snap.queue)?.key === key;
    this.setQueue(Q.remove(this.snap.queue, key));
    if (wasCurrent) void this.load(this.snap.queue.index, 0, this.snap.playing);
  }
  clearUpcoming(): void {
    this.setQueue(Q.clearUpcoming(this.snap.queue));
  }
  jump(index: number): Promise<void> {
    this.setQueue(Q.jump(this.snap.queue, index));
    return this.load(this.snap.queue.index, 0, true);
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
    if (!this.ticket || this.snap.problem) return this.load(q.index, this.snap.position, true);
    this.update({ playing: true });
    await this.deps.audio.play().catch(() => this.update({ playing: false }));
  }
  pause(): void {
    this.deps.audio.pause();
    this.update({ playing: false, loading: false });
    this.persist(true);
  }
  toggle(): Promise<void> {
    if (this.snap.playing) {
      this.pause();
      return Promise.resolve();
    }
    return this.play();
  }
  next(): Promise<void> {
    return this.advance(false);
  }
  /** Back to the start when more than 3 s in, else the previous entry. */
  previous(): Promise<void> {
    if (this.deps.audio.currentTime > 3 || Q.previousIndex(this.snap.queue) === null) {
      this.seek(0);
      return Promise.resolve();
    }
    this.setQueue(Q.jump(this.snap.queue, Q.previousIndex(this.snap.queue)!));
    return this.load(this.snap.queue.index, 0, this.snap.playing || true);
  }
  seek(seconds: number): void {
    const t = Math.max(0, Math.min(seconds, this.snap.duration || seconds));
    if (this.ticket) this.deps.audio.currentTime = t;
    this.update({ position: t });
    this.persist(true);
  }
  setVolume(volume: number): void {
    const v = Math.max(0, Math.min(1, volume));
    this.deps.audio.volume = v;
    this.deps.audio.muted = v === 0;
    this.update({ volume: v, muted: v === 0 });
    this.persist(true);
  }
  toggleMute(): void {
    this.deps.audio.muted = !this.deps.audio.muted;
    this.update({ muted: this.deps.audio.muted });
    this.persist(true);
  }
  /** Signed out: stop and forget the tickets (the server revoked them). */
  stop(): void {
    this.deps.audio.pause();
    this.resetTickets();
    this.deps.audio.removeAttribute('src');
    this.update({ playing: false, loading: false });
  }

  // ─── internals ───
  private async advance(auto: boolean): Promise<void> {
    const next = Q.nextIndex(this.snap.queue, auto);
    if (next === null) {
      this.update({ playing: false, position: 0 });
      this.deps.audio.pause();
      return;
    }
    this.setQueue(Q.jump(this.snap.queue, next));
    return this.load(next, 0, auto || this.snap.playing);
  }

  private async load(index: number, startAt: number, autoplay: boolean): Promise<void> {
    const item = this.snap.queue.items[index];
    this.clearTimer(this.retryTimer);
    if (!item) {
      this.stop();
      return;
    }
    const mine = ++this.loadSeq;
    this.update({ playing: autoplay, loading: true, problem: null, position: startAt, duration: item.track.duration, bufferedEnd: 0 });
    let ticket: Ticket;
    try {
      const pre = this.prefetched?.key === item.key && this.prefetched.ticket.expiresAt - this.now() > RENEW_BEFORE_MS ? this.prefetched.ticket : undefined;
      ticket = pre ?? (await this.issue(item.track.id));
    } catch (err) {
      if (mine === this.loadSeq) this.fail(problemOf(err));
      return;
    }
    if (mine !== this.loadSeq) return; // a newer load won
    this.prefetched = undefined;
    this.ticket = ticket;
    this.scheduleRenewal();
    const a = this.deps.audio;
    a.src = ticket.url;
    if (startAt > 0) a.currentTime = startAt;
    if (autoplay) await a.play().catch((err: unknown) => this.onPlayRejected(err));
    else this.update({ loading: false });
    this.persist(true);
  }

  private async issue(trackId: string): Promise<Ticket> {
    const t = await this.deps.requestTicket(trackId);
    return { trackId, url: t.url, expiresAt: t.expiresAt, seq: ++this.seq };
  }

  private onPlayRejected(err: unknown): void {
    // NotAllowedError: the browser wants a gesture first; AbortError: a newer src replaced this one.
    if ((err as { name?: string }).name === 'AbortError') return;
    this.update({ playing: false, loading: false });
  }

  private onTime(): void {
    const a = this.deps.audio;
    if (!this.ticket) return;
    this.update({ position: a.currentTime, bufferedEnd: this.bufferedEnd() });
    this.persist(false);
    const remaining = (this.snap.duration || a.duration) - a.currentTime;
    if (remaining < PREFETCH_BEFORE_S) void this.prefetchNext();
  }

  /**
   * The next entry's ticket before this one ends. When the plan allows one stream only, a new
   * ticket revokes the current one, so only once the current track is fully buffered.
   */
  private async prefetchNext(): Promise<void> {
    const q = this.snap.queue;
    const next = q.items[Q.nextIndex(q, true) ?? -1];
    if (!next || next.key === Q.current(q)?.key || this.prefetching || this.prefetched?.key === next.key) return;
    if (this.deps.maxStreams() < 2 && this.bufferedEnd() < (this.snap.duration || this.deps.audio.duration) - 0.25) return;
    this.prefetching = true;
    try {
      this.prefetched = { key: next.key, ticket: await this.issue(next.track.id) };
    } catch {
      /* the load at the end will ask again and show why */
    } finally {
      this.prefetching = false;
    }
  }

  private scheduleRenewal(): void {
    this.clearTimer(this.renewTimer);
    const t = this.ticket;
    if (!t) return;
    this.renewTimer = this.setTimer(() => void this.renew(t), Math.max(1_000, t.expiresAt - this.now() - RENEW_BEFORE_MS));
  }

  /** A new ticket for the same track, swapped in at the same position (silent when paused). */
  private async renew(old: Ticket): Promise<void> {
    if (this.ticket !== old) return;
    let fresh: Ticket;
    try {
      fresh = await this.issue(old.trackId);
    } catch (err) {
      if (this.ticket === old) this.fail(problemOf(err));
      return;
    }
    if (this.ticket !== old) return;
    const a = this.deps.audio;
    const at = a.currentTime;
    const wasPlaying = !a.paused;
    this.ticket = fresh;
    a.src = fresh.url;
    a.currentTime = at;
    if (wasPlaying) await a.play().catch((err: unknown) => this.onPlayRejected(err));
    this.scheduleRenewal();
  }

  /** The element failed: ask the server why (expired, revoked, gone) or notice the network is down. */
  private async onMediaError(): Promise<void> {
    const t = this.ticket;
    if (!t) return;
    const at = this.deps.audio.currentTime || this.snap.position;
    const wanted = this.snap.playing;
    const status = await this.deps.probe(t.url);
    if (this.ticket !== t) return;
    this.update({ position: at });
    if (status === 'network') {
      this.fail({ kind: 'network', message: 'Connection lost. Playback resumes when you are back online.' });
      this.retryTimer = this.setTimer(() => void this.retryAfterNetwork(at, wanted), NETWORK_RETRY_MS);
    } else if (status === 401 || (status === 403 && this.revokedByUs(t))) {
      // Expired, or revoked by a newer ticket of this tab (the plan's stream limit): renew in place.
      this.ticket = undefined;
      await this.load(this.snap.queue.index, at, wanted);
    } else if (status === 403) {
      this.fail({ kind: 'elsewhere', message: 'Playing on another device. Press play to listen here.' });
    } else {
      this.fail({ kind: 'unplayable', message: 'This track cannot be played. Skipping it.' });
      this.retryTimer = this.setTimer(() => void this.advance(true), 1_500);
    }
  }

  private async retryAfterNetwork(at: number, wanted: boolean): Promise<void> {
    const status = this.ticket ? await this.deps.probe(this.ticket.url) : 'network';
    if (status === 'network') {
      this.retryTimer = this.setTimer(() => void this.retryAfterNetwork(at, wanted), NETWORK_RETRY_MS);
      return;
    }
    this.ticket = undefined;
    await this.load(this.snap.queue.index, at, wanted);
  }

  /** Back online (the browser's `online` event): retry at once. */
  online(): void {
    if (this.snap.problem?.kind !== 'network') return;
    this.clearTimer(this.retryTimer);
    void this.retryAfterNetwork(this.snap.position, this.snap.playing);
  }

  private revokedByUs(t: Ticket): boolean {
    return this.seq - t.seq >= this.deps.maxStreams();
  }

  private fail(problem: PlayerProblem): void {
    this.deps.audio.pause();
    if (problem.kind !== 'network') this.resetTickets();
    this.update({ problem, loading: false, playing: problem.kind === 'network' ? this.snap.playing : false });
  }

  private resetTickets(): void {
    this.clearTimer(this.renewTimer);
    this.clearTimer(this.retryTimer);
    this.ticket = undefined;
    this.prefetched = undefined;
  }

  private bufferedEnd(): number {
    const b = this.deps.audio.buffered;
    const t = this.deps.audio.currentTime;
    for (let i = 0; i < b.length; i++) if (b.start(i) <= t + 0.5 && b.end(i) >= t) return b.end(i);
    return b.length ? b.end(b.length - 1) : 0;
  }

  private setQueue(queue: Q.QueueState): void {
    const before = Q.current(this.snap.queue)?.key;
    if (Q.current(queue)?.key !== before && this.prefetched && !queue.items.some((i) => i.key === this.prefetched?.key)) this.prefetched = undefined;
    this.update({ queue });
    this.persist(true);
  }

  private update(patch: Partial<PlayerSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  /** The queue, position and volume for the next page load (at most every 5 s while playing). */
  private persist(force: boolean): void {
    if (!this.deps.save || (!force && this.now() - this.lastSave < 5_000)) return;
    this.lastSave = this.now();
    const { queue, position, volume, muted } = this.snap;
    this.deps.save(JSON.stringify({ queue, position, volume, muted }));
  }
}

export { TicketError };
