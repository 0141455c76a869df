import { AudioDeck, type AudioLike } from './audio-deck';
import { chooseFormat, transcodeFor, type StreamFormat } from './formats';
import * as Q from './queue';
import { problemOf, TicketError, type PlayerProblem, type Ticket } from './tickets';

export type { AudioLike };

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
/** While playing from the buffer, how often the ticket is checked for a takeover by another device. */
export const TAKEOVER_CHECK_MS = 10_000;
const ELSEWHERE: PlayerProblem = { kind: 'elsewhere', message: 'Playing on another device. Press play to listen here.' };

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
  private lastCheck = 0;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;
  private readonly deck: AudioDeck;

  constructor(
    private readonly deps: PlayerDeps,
    initial: { queue?: Q.QueueState; position?: number; volume?: number; muted?: boolean } = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.deck = new AudioDeck(deps.audio, deps.standby, { setTimer: this.setTimer, clearTimer: this.clearTimer });
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
    const d = this.deck;
    d.on('timeupdate', () => this.onTime());
    d.on('progress', () => this.update({ bufferedEnd: this.bufferedEnd() }));
    d.on('durationchange', () => Number.isFinite(d.el.duration) && this.update({ duration: d.el.duration }));
    d.on('waiting', () => this.update({ loading: true }));
    d.on('playing', () => this.update({ loading: false, problem: null }));
    d.on('ended', () => void this.advance(true));
    d.on('error', () => void this.onMediaError());
  }

  /** The element playing now (the deck swaps two). */
  private get audio(): AudioLike {
    return this.deck.el;
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
    await this.audio.play().catch(() => this.update({ playing: false }));
  }
  pause(): void {
    this.audio.pause();
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
    if (this.audio.currentTime > 3 || Q.previousIndex(this.snap.queue) === null) {
      this.seek(0);
      return Promise.resolve();
    }
    this.setQueue(Q.jump(this.snap.queue, Q.previousIndex(this.snap.queue)!));
    return this.load(this.snap.queue.index, 0, this.snap.playing || true);
  }
  seek(seconds: number): void {
    const t = Math.max(0, Math.min(seconds, this.snap.duration || seconds));
    this.deck.cancel();
    if (this.ticket) this.audio.currentTime = t;
    this.update({ position: t });
    this.persist(true);
  }
  setVolume(volume: number): void {
    const v = Math.max(0, Math.min(1, volume));
    this.audio.volume = v;
    this.audio.muted = v === 0;
    this.update({ volume: v, muted: v === 0 });
    this.persist(true);
  }
  toggleMute(): void {
    this.audio.muted = !this.audio.muted;
    this.update({ muted: this.audio.muted });
    this.persist(true);
  }
  /** Signed out: stop and forget the tickets (the server revoked them). */
  stop(): void {
    this.audio.pause();
    this.resetTickets();
    this.deck.reset();
    this.audio.removeAttribute('src');
    this.update({ playing: false, loading: false });
  }
  /** Signed out on purpose: stop, empty the queue, and remove what was stored for the next load. */
  forget(): void {
    this.stop();
    this.update({ queue: Q.EMPTY_QUEUE, position: 0, duration: 0, bufferedEnd: 0, problem: null });
    this.deps.forget?.();
  }

  // ─── internals ───
  private async advance(auto: boolean): Promise<void> {
    const next = Q.nextIndex(this.snap.queue, auto);
    if (next === null) {
      this.update({ playing: false, position: 0 });
      this.audio.pause();
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
      ticket = pre ?? (await this.issueFor(item.track));
    } catch (err) {
      if (mine === this.loadSeq) this.fail(problemOf(err));
      return;
    }
    if (mine !== this.loadSeq) return; // a newer load won
    this.prefetched = undefined;
    this.ticket = ticket;
    this.lastCheck = this.now();
    this.scheduleRenewal();
    // The next track preloaded on the spare element starts at once; anything else loads here.
    if (!this.deck.takePreloaded(ticket.url)) {
      this.deck.reset();
      this.audio.src = ticket.url;
    }
    const a = this.audio;
    if (startAt > 0) a.currentTime = startAt;
    if (autoplay) await a.play().catch((err: unknown) => this.onPlayRejected(err));
    else this.update({ loading: false });
    this.persist(true);
  }

  /**
   * A ticket in a format this browser plays: ORIGINAL when `canPlayType` accepts the file's type,
   * else a transcode (OPUS, or MP3 where OPUS does not play). A track without its format (a queue
   * stored by an older version) asks for ORIGINAL, and again for a transcode when the ticket's
   * type turns out unplayable.
   */
  private async issueFor(track: Q.QueueTrack): Promise<Ticket> {
    const canPlay = this.deps.canPlay ?? (() => true);
    const format = chooseFormat(track.format, canPlay);
    const t = await this.issue(track.id, format);
    if (format === 'ORIGINAL' && !track.format && t.mimeType && !canPlay(t.mimeType)) return this.issue(track.id, transcodeFor(canPlay));
    return t;
  }

  private async issue(trackId: string, requested: StreamFormat): Promise<Ticket & { mimeType?: string }> {
    const t = await this.deps.requestTicket(trackId, requested);
    return { trackId, url: t.url, expiresAt: t.expiresAt, seq: ++this.seq, requested, mimeType: t.mimeType };
  }

  private onPlayRejected(err: unknown): void {
    // NotAllowedError: the browser wants a gesture first; AbortError: a newer src replaced this one.
    if ((err as { name?: string }).name === 'AbortError') return;
    this.update({ playing: false, loading: false });
  }

  private onTime(): void {
    const a = this.audio;
    if (!this.ticket) return;
    this.update({ position: a.currentTime, bufferedEnd: this.bufferedEnd() });
    this.persist(false);
    const remaining = (this.snap.duration || a.duration) - a.currentTime;
    if (remaining < PREFETCH_BEFORE_S) void this.prefetchNext();
    if (!a.paused && this.now() - this.lastCheck >= TAKEOVER_CHECK_MS) {
      this.lastCheck = this.now();
      void this.checkTakeover();
    }
  }

  /**
   * A buffered track plays on after another device took the stream over (the server revoked this
   * ticket): a HEAD on the ticket now and then notices, and the bar says so.
   */
  private async checkTakeover(): Promise<void> {
    const t = this.ticket;
    if (!t) return;
    const status = await this.deps.probe(t.url);
    if (status === 403 && this.ticket === t && !this.revokedByUs(t)) this.fail(ELSEWHERE);
  }

  /**
   * The next entry's ticket before this one ends. When the plan allows one stream only, a new
   * ticket revokes the current one, so only once the current track is fully buffered.
   */
  private async prefetchNext(): Promise<void> {
    const q = this.snap.queue;
    const next = q.items[Q.nextIndex(q, true) ?? -1];
    if (!next || next.key === Q.current(q)?.key || this.prefetching || this.prefetched?.key === next.key) return;
    if (this.deps.maxStreams() < 2 && this.bufferedEnd() < (this.snap.duration || this.audio.duration) - 0.25) return;
    this.prefetching = true;
    try {
      const ticket = await this.issueFor(next.track);
      if (Q.current(this.snap.queue)?.key === next.key || this.prefetched) return;
      this.prefetched = { key: next.key, ticket };
      this.deck.preload(ticket.url);
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

  /**
   * A new ticket for the same track at the same position: while playing, the spare element takes
   * over without a gap; when paused (or without a spare) the source is swapped in place.
   */
  private async renew(old: Ticket): Promise<void> {
    if (this.ticket !== old) return;
    // Taken over by another device meanwhile: a renewal would take the stream back unasked.
    if ((await this.deps.probe(old.url)) === 403 && this.ticket === old && !this.revokedByUs(old)) return this.fail(ELSEWHERE);
    if (this.ticket !== old) return;
    let fresh: Ticket;
    try {
      fresh = await this.issue(old.trackId, old.requested);
    } catch (err) {
      if (this.ticket === old) this.fail(problemOf(err));
      return;
    }
    if (this.ticket !== old) return;
    const handed = await this.deck.handOver(fresh.url);
    if (this.ticket !== old) return; // a new track or a problem came first
    this.ticket = fresh;
    if (this.deps.maxStreams() < 2 && this.prefetched) {
      // One stream: the renewed ticket revoked the next track's; it is fetched again near the end.
      this.prefetched = undefined;
      this.deck.reset();
    }
    if (!handed) {
      const a = this.audio;
      const at = a.currentTime;
      const wasPlaying = !a.paused;
      a.src = fresh.url;
      a.currentTime = at;
      if (wasPlaying) await a.play().catch((err: unknown) => this.onPlayRejected(err));
    }
    this.scheduleRenewal();
  }

  /** The element failed: ask the server why (expired, revoked, gone) or notice the network is down. */
  private async onMediaError(): Promise<void> {
    const t = this.ticket;
    if (!t) return;
    const at = this.audio.currentTime || this.snap.position;
    const wanted = this.snap.playing;
    const status = await this.deps.probe(t.url);
    if (this.ticket !== t) return;
    this.update({ position: at });
    if (status === 'network') {
      this.fail({ kind: 'network', message: 'Connection lost. Playback resumes when you are back online.' });
    } else if (status === 401 || (status === 403 && this.revokedByUs(t))) {
      // Expired, or revoked by a newer ticket of this tab (the plan's stream limit): renew in place.
      this.ticket = undefined;
      await this.load(this.snap.queue.index, at, wanted);
    } else if (status === 403) {
      this.fail(ELSEWHERE);
    } else {
      this.fail({ kind: 'unplayable', message: 'This track cannot be played. Skipping it.' });
      this.retryTimer = this.setTimer(() => void this.advance(true), 1_500);
    }
  }

  /** Every few seconds while the network is gone: back when the server answers again. */
  private async retryAfterNetwork(at: number, wanted: boolean): Promise<void> {
    if (this.snap.problem?.kind !== 'network') return;
    if (this.ticket && (await this.deps.probe(this.ticket.url)) === 'network') {
      this.retryTimer = this.setTimer(() => void this.retryAfterNetwork(at, wanted), NETWORK_RETRY_MS);
      return;
    }
    if (this.snap.problem?.kind !== 'network') return;
    this.ticket = undefined;
    await this.load(this.snap.queue.index, at, wanted); // fails again (and retries) while offline
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
    this.audio.pause();
    this.deck.reset();
    if (problem.kind !== 'network') this.resetTickets();
    const playing = problem.kind === 'network' ? this.snap.playing : false;
    this.update({ problem, loading: false, playing });
    if (problem.kind === 'network') {
      // Retried every few seconds (and at once on the browser's `online` event): never stuck.
      const at = this.snap.position;
      this.clearTimer(this.retryTimer);
      this.retryTimer = this.setTimer(() => void this.retryAfterNetwork(at, playing), NETWORK_RETRY_MS);
    }
  }

  private resetTickets(): void {
    this.clearTimer(this.renewTimer);
    this.clearTimer(this.retryTimer);
    this.ticket = undefined;
    this.prefetched = undefined;
  }

  private bufferedEnd(): number {
    const b = this.audio.buffered;
    const t = this.audio.currentTime;
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
