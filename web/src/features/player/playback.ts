import { AudioDeck, type AudioLike } from './audio-deck';
import type { PlayerState } from './player-state';
import * as Q from './queue';
import { TicketIssuer, type TicketSource } from './ticket-issuer';
import { problemOf, TicketError, type PlayerProblem, type Ticket } from './tickets';

/** Renew a ticket this long before it expires; prefetch the next one this long before a track ends. */
export const RENEW_BEFORE_MS = 30_000;
export const PREFETCH_BEFORE_S = 20;
const NETWORK_RETRY_MS = 3_000;
/** A busy stream (429/503): retried after its Retry-After, else 2 s doubling, never longer than a minute. */
const BUSY_RETRY_MS = 2_000;
const BUSY_RETRY_MAX_MS = 60_000;
/**
 * A stream the check finds fine (2xx) that the element still fails on: retried this often (about a
 * minute, backing off), then skipped. A HEAD on a transcoded stream answers 200 while its GET may be
 * refused as TRANSCODE_BUSY, so this is mostly a busy server too.
 */
const MAX_RETRIES_WHEN_FINE = 5;
/** MediaError.MEDIA_ERR_DECODE: the file itself cannot be played. */
const MEDIA_ERR_DECODE = 3;
/** While playing from the buffer, how often the ticket is checked for a takeover by another device. */
export const TAKEOVER_CHECK_MS = 10_000;
const ELSEWHERE: PlayerProblem = { kind: 'elsewhere', message: 'Playing on another device. Press play to listen here.' };

export interface PlaybackDeps extends TicketSource {
  audio: AudioLike;
  /** A second element: preloads the next track and takes over renewals without a gap. */
  standby?: AudioLike;
  /** HEAD of a ticket URL: its status (with Retry-After, in seconds, when given), or 'network'. */
  probe: (url: string) => Promise<ProbeResult>;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

/** What a HEAD of a ticket URL found: a status, a status with Retry-After (seconds), or no server. */
export type ProbeResult = number | 'network' | { status: number; retryAfter?: number };

/**
 * Playing the queue's entries through tickets: one per track, the next one prefetched near the
 * end (when that cannot revoke the current one) and preloaded, an expiring one renewed in place
 * (same position, the spare element taking over), and every failure turned into a `problem` with
 * its way out (renewal, retry when back online, skip), never a stuck player.
 */
export class Playback {
  private readonly deck: AudioDeck;
  private readonly tickets: TicketIssuer;
  private ticket: Ticket | undefined;
  private prefetched: { key: string; ticket: Ticket } | undefined;
  private prefetching = false;
  /** The entry an early ticket was asked for (at most one per next entry: each one counts as a play). */
  private prefetchAsked: string | undefined;
  private loadSeq = 0;
  /** The load waiting for its ticket (0: none): the old source's events mean nothing meanwhile. */
  private pending = 0;
  private renewTimer: unknown;
  private retryTimer: unknown;
  private lastCheck = 0;
  /** Retries of the current stream (the back-off), and those after a check that found it fine (reset once it plays). */
  private streamRetries = 0;
  private fineFailures = 0;

  constructor(
    private readonly deps: PlaybackDeps,
    private readonly state: PlayerState,
  ) {
    this.tickets = new TicketIssuer(deps);
    const d = (this.deck = new AudioDeck(deps.audio, deps.standby, { setTimer: deps.setTimer, clearTimer: deps.clearTimer }));
    d.on('timeupdate', () => this.onTime());
    d.on('progress', () => !this.pending && this.state.update({ bufferedEnd: this.bufferedEnd() }));
    d.on('durationchange', () => Number.isFinite(d.el.duration) && this.state.update({ duration: d.el.duration }));
    d.on('waiting', () => this.state.update({ loading: true }));
    d.on('playing', () => {
      this.streamRetries = this.fineFailures = 0;
      this.state.update({ loading: false, problem: null });
    });
    d.on('ended', () => !this.pending && void this.advance(true));
    d.on('error', () => void this.onMediaError());
  }

  /** The element playing now (the deck swaps two). */
  get audio(): AudioLike {
    return this.deck.el;
  }

  /** A ticket is loaded (not a restored queue waiting for its first, nor stopped by a problem). */
  get ready(): boolean {
    return this.ticket !== undefined && this.state.snapshot.problem === null;
  }

  private get snap() {
    return this.state.snapshot;
  }

  /**
   * The queue changed: an early ticket for an entry that is no longer the next one (Play next,
   * shuffle, a move, a removal) is dropped with its preload, so the new next entry gets its own.
   * One for the entry that becomes current is kept: the load that follows uses it.
   */
  queueChanged(queue: Q.QueueState): void {
    const p = this.prefetched;
    if (!p || p.key === nextEntry(queue)?.key || p.key === Q.current(queue)?.key) return;
    this.prefetched = undefined;
    this.deck.dropPreloaded();
  }

  /** To `seconds` in the current track (a hand-over in progress is called off). */
  seek(seconds: number): void {
    this.deck.cancel();
    if (this.ticket) this.audio.currentTime = seconds;
  }

  /** Signed out: stop and forget the tickets (the server revoked them). */
  stop(): void {
    this.audio.pause();
    this.resetTickets();
    this.deck.reset();
    this.audio.removeAttribute('src');
    this.state.update({ playing: false, loading: false });
  }

  /** The next entry (`auto`: the current one ended, so repeat-one repeats), or stop at the end. */
  async advance(auto: boolean, autoplay = auto || this.snap.playing): Promise<void> {
    const next = Q.nextIndex(this.snap.queue, auto);
    if (next === null) {
      this.state.update({ playing: false, position: 0 });
      this.audio.pause();
      return;
    }
    this.state.update({ queue: Q.jump(this.snap.queue, next) });
    this.state.persist(true);
    return this.load(next, 0, autoplay);
  }

  async load(index: number, startAt: number, autoplay: boolean): Promise<void> {
    const item = this.snap.queue.items[index];
    this.deps.clearTimer(this.retryTimer);
    if (!item) {
      this.stop();
      return;
    }
    const mine = ++this.loadSeq;
    this.pending = mine;
    this.deps.clearTimer(this.renewTimer); // the old ticket's; the new one schedules its own
    this.streamRetries = this.fineFailures = 0;
    // The old source stops now: it must not play on under the new title while the ticket comes
    // (its timeupdate would move the new seek bar, its ended would advance once more).
    this.deck.cancel();
    const old = this.audio;
    old.pause();
    if (old.src) {
      old.removeAttribute('src');
      old.load();
    }
    this.state.update({ playing: autoplay, loading: true, problem: null, position: startAt, duration: item.track.duration, bufferedEnd: 0 });
    let ticket: Ticket;
    try {
      const pre =
        this.prefetched?.key === item.key && this.prefetched.ticket.expiresAt - this.deps.now() > RENEW_BEFORE_MS ? this.prefetched.ticket : undefined;
      ticket = pre ?? (await this.tickets.forTrack(item.track));
    } catch (err) {
      if (mine !== this.loadSeq) return;
      this.pending = 0;
      // Removed from the library: skipped, as a file that does not play is; anything else stops here.
      if (err instanceof TicketError && err.code === 'NOT_FOUND') this.skip(problemOf(err));
      else this.fail(problemOf(err));
      return;
    }
    if (mine !== this.loadSeq) return; // a newer load won
    this.pending = 0;
    this.prefetched = undefined;
    this.prefetchAsked = undefined;
    this.ticket = ticket;
    this.lastCheck = this.deps.now();
    this.scheduleRenewal();
    // The next track preloaded on the spare element starts at once; anything else loads here.
    if (!this.deck.takePreloaded(ticket.url)) {
      this.deck.reset();
      this.audio.src = ticket.url;
    }
    const a = this.audio;
    if (startAt > 0) a.currentTime = startAt;
    if (autoplay) await a.play().catch((err: unknown) => this.onPlayRejected(err));
    else this.state.update({ loading: false });
    this.state.persist(true);
  }

  onPlayRejected(err: unknown): void {
    // NotAllowedError: the browser wants a gesture first; AbortError: a newer src replaced this one.
    if ((err as { name?: string }).name === 'AbortError') return;
    this.state.update({ playing: false, loading: false });
  }

  /** Back online (the browser's `online` event): retry at once. */
  online(): void {
    if (this.snap.problem?.kind !== 'network') return;
    this.deps.clearTimer(this.retryTimer);
    void this.retryAfterNetwork(this.snap.position, this.snap.playing);
  }

  private onTime(): void {
    const a = this.audio;
    if (!this.ticket || this.pending) return;
    this.state.update({ position: a.currentTime, bufferedEnd: this.bufferedEnd() });
    this.state.persist(false);
    const remaining = (this.snap.duration || a.duration) - a.currentTime;
    if (remaining < PREFETCH_BEFORE_S) void this.prefetchNext();
    if (!a.paused && this.deps.now() - this.lastCheck >= TAKEOVER_CHECK_MS) {
      this.lastCheck = this.deps.now();
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
    const status = statusOf(await this.deps.probe(t.url));
    if (status === 403 && this.ticket === t && !this.tickets.revokedByUs(t)) this.fail(ELSEWHERE);
  }

  /**
   * The next entry's ticket before this one ends. When the plan allows one stream only, a new
   * ticket revokes the current one, so only once the current track is fully buffered.
   */
  private async prefetchNext(): Promise<void> {
    const q = this.snap.queue;
    const next = nextEntry(q);
    if (!next || next.key === Q.current(q)?.key || this.prefetching || this.prefetchAsked === next.key) return;
    if (this.tickets.singleStream && this.bufferedEnd() < (this.snap.duration || this.audio.duration) - 0.25) return;
    this.prefetching = true;
    this.prefetchAsked = next.key;
    try {
      const ticket = await this.tickets.forTrack(next.track);
      // The queue changed meanwhile (another entry is next, or this one plays already): not kept.
      const now = this.snap.queue;
      if (nextEntry(now)?.key !== next.key || Q.current(now)?.key === next.key) return;
      this.prefetched = { key: next.key, ticket };
      this.deck.preload(ticket.url);
    } catch {
      /* the load at the end will ask again and show why */
    } finally {
      this.prefetching = false;
    }
  }

  /**
   * Play pressed with a track loaded: a ticket that expired while paused (or is about to) is
   * renewed first, in place (play here is what was asked for: no takeover check); otherwise its
   * renewal is scheduled again, as none runs while paused.
   */
  async resume(): Promise<void> {
    const t = this.ticket;
    if (!t) return;
    if (t.expiresAt - this.deps.now() > RENEW_BEFORE_MS) return this.scheduleRenewal();
    await this.renew(t, true);
  }

  private scheduleRenewal(): void {
    this.deps.clearTimer(this.renewTimer);
    const t = this.ticket;
    if (!t) return;
    this.renewTimer = this.deps.setTimer(() => void this.renew(t), Math.max(1_000, t.expiresAt - this.deps.now() - RENEW_BEFORE_MS));
  }

  /**
   * A new ticket for the same track at the same position: while playing, the spare element takes
   * over without a gap; without a spare (or for `resume`) the source is swapped in place. None
   * while paused: a ticket counts as a play, and `resume` renews on play instead.
   */
  private async renew(old: Ticket, forPlay = false): Promise<void> {
    if (this.ticket !== old || this.pending || (!forPlay && !this.snap.playing)) return;
    // Taken over by another device meanwhile: a renewal would take the stream back unasked.
    if (!forPlay && statusOf(await this.deps.probe(old.url)) === 403 && this.ticket === old && !this.tickets.revokedByUs(old)) return this.fail(ELSEWHERE);
    if (this.ticket !== old || this.pending) return;
    let fresh: Ticket;
    try {
      fresh = await this.tickets.issue(old.trackId, old.requested);
    } catch (err) {
      if (this.ticket === old && !this.pending) this.fail(problemOf(err));
      return;
    }
    if (this.ticket !== old || this.pending) return;
    const handed = await this.deck.handOver(fresh.url);
    if (this.ticket !== old || this.pending) return; // a new track or a problem came first
    this.ticket = fresh;
    if (this.tickets.singleStream && this.prefetched) {
      // One stream: the renewed ticket revoked the next track's; it is fetched again near the end.
      this.prefetched = undefined;
      this.prefetchAsked = undefined;
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

  /**
   * The element failed: ask the server why (expired, revoked, gone, busy) or notice the network is
   * down. Only a track that is gone (404) or a file that does not decode is skipped: a busy server
   * (429, 503 such as TRANSCODE_BUSY) or a check that finds the stream fine is retried on the same
   * track, as skipping would spend a play on every track in turn.
   */
  private async onMediaError(): Promise<void> {
    const t = this.ticket;
    if (!t || this.pending) return;
    const at = this.audio.currentTime || this.snap.position;
    const wanted = this.snap.playing;
    const undecodable = this.audio.error?.code === MEDIA_ERR_DECODE;
    const probed = await this.deps.probe(t.url);
    const status = statusOf(probed);
    if (this.ticket !== t) return;
    this.state.update({ position: at });
    const fine = typeof status === 'number' && status >= 200 && status < 300;
    if (status === 'network') {
      this.fail({ kind: 'network', message: 'Connection lost. Playback resumes when you are back online.' });
    } else if (status === 401 || (status === 403 && this.tickets.revokedByUs(t))) {
      // Expired, or revoked by a newer ticket of this tab (the plan's stream limit): renew in place.
      this.ticket = undefined;
      await this.load(this.snap.queue.index, at, wanted);
    } else if (status === 403) {
      this.fail(ELSEWHERE);
    } else if (status === 404 || (fine && undecodable)) {
      this.skip({ kind: 'unplayable', message: 'This track cannot be played. Skipping it.' });
    } else {
      const busy = status === 429 || status === 503;
      if (!busy && ++this.fineFailures > MAX_RETRIES_WHEN_FINE) {
        this.skip({ kind: 'unplayable', message: 'This track cannot be played. Skipping it.' });
        return;
      }
      this.streamRetries += 1;
      this.retryStream(at, wanted, typeof probed === 'object' ? probed.retryAfter : undefined);
    }
  }

  /** The same track again at `at` after a back-off (Retry-After when given), the wait shown meanwhile. */
  private retryStream(at: number, wanted: boolean, retryAfterS: number | undefined): void {
    const wait = retryAfterS !== undefined && retryAfterS >= 0 ? retryAfterS * 1_000 : BUSY_RETRY_MS * 2 ** Math.max(0, this.streamRetries - 1);
    const ms = Math.min(BUSY_RETRY_MAX_MS, Math.max(1_000, wait));
    this.audio.pause();
    this.deck.reset();
    this.state.update({
      playing: wanted,
      loading: false,
      problem: { kind: 'retrying', message: `The server is busy. Trying this track again in ${Math.ceil(ms / 1_000)} s…` },
    });
    this.deps.clearTimer(this.retryTimer);
    this.retryTimer = this.deps.setTimer(() => {
      // The ticket, or the one its renewal replaced it with meanwhile (a new track clears this timer).
      const current = this.ticket;
      if (!current) return;
      const play = this.snap.playing;
      this.state.update({ problem: null, loading: play });
      const a = this.audio;
      a.src = current.url;
      a.currentTime = at;
      if (play) void a.play().catch((err: unknown) => this.onPlayRejected(err));
    }, ms);
  }

  /** Shows why, then moves on to the next entry and plays it (never the same one again: repeat-one). */
  private skip(problem: PlayerProblem): void {
    this.fail(problem);
    this.retryTimer = this.deps.setTimer(() => void this.advance(false, true), 1_500);
  }

  /** Every few seconds while the network is gone: back when the server answers again. */
  private async retryAfterNetwork(at: number, wanted: boolean): Promise<void> {
    if (this.snap.problem?.kind !== 'network') return;
    if (this.ticket && (await this.deps.probe(this.ticket.url)) === 'network') {
      this.retryTimer = this.deps.setTimer(() => void this.retryAfterNetwork(at, wanted), NETWORK_RETRY_MS);
      return;
    }
    if (this.snap.problem?.kind !== 'network') return;
    this.ticket = undefined;
    await this.load(this.snap.queue.index, at, wanted); // fails again (and retries) while offline
  }

  private fail(problem: PlayerProblem): void {
    this.audio.pause();
    this.deck.reset();
    if (problem.kind !== 'network') this.resetTickets();
    const playing = problem.kind === 'network' ? this.snap.playing : false;
    this.state.update({ problem, loading: false, playing });
    if (problem.kind === 'network') {
      // Retried every few seconds (and at once on the browser's `online` event): never stuck.
      const at = this.snap.position;
      this.deps.clearTimer(this.retryTimer);
      this.retryTimer = this.deps.setTimer(() => void this.retryAfterNetwork(at, playing), NETWORK_RETRY_MS);
    }
  }

  private resetTickets(): void {
    this.deps.clearTimer(this.renewTimer);
    this.deps.clearTimer(this.retryTimer);
    this.ticket = undefined;
    this.prefetched = undefined;
    this.prefetchAsked = undefined;
  }

  private bufferedEnd(): number {
    const b = this.audio.buffered;
    const t = this.audio.currentTime;
    for (let i = 0; i < b.length; i++) if (b.start(i) <= t + 0.5 && b.end(i) >= t) return b.end(i);
    return b.length ? b.end(b.length - 1) : 0;
  }
}

/** The entry that plays when the current one ends by itself. */
function nextEntry(q: Q.QueueState): Q.QueueItem | undefined {
  return q.items[Q.nextIndex(q, true) ?? -1];
}

function statusOf(probed: ProbeResult): number | 'network' {
  return typeof probed === 'object' ? probed.status : probed;
}
