/**
 * Paces the media bytes the router relays (audio from stream): together they move at most the
 * current rate, shared equally between the open transfers. The router copies every relayed byte
 * on its one event loop; flat out, a few bulk downloads kept it 100 % busy, and every other
 * request — a new listener's first byte, any GraphQL query — waited 0.5 s (bench/stream/run.mjs
 * --router, 50 readers: new-listener TTFB p50 544 ms unpaced, 4 ms paced at 250 MB/s).
 * A listener needs well under 1 MB/s, so the pace is felt only by bulk downloads.
 *
 * The rate adapts (`observeLag`): a fixed MB/s that left the loop free on one day saturated it on
 * a slower one, so the rate backs off while the event loop runs late and climbs back to the
 * ceiling while it keeps time (additive increase, multiplicative decrease). It never backs off
 * below what every open transfer needs to play (`minTransferBytesPerSecond` each): a lagging
 * loop slows bulk downloads, never a listener's audio.
 */
export interface PacerOptions {
  /** Loop lateness above this (ms) slows the relay down. */
  lagTargetMs?: number;
  /** The rate never falls below this (bytes per second); by default 1/32 of the ceiling. */
  minBytesPerSecond?: number;
  /**
   * Nor below this many bytes per second for each open transfer (up to the ceiling): 1 MB/s by
   * default, several times what even 24-bit/96 kHz FLAC (~0.6 MB/s) plays at.
   */
  minTransferBytesPerSecond?: number;
}

/** Each late sample cuts the rate to this share; each timely one adds this share of the ceiling. */
const DECREASE = 0.7;
const INCREASE = 0.02;

export class MediaPacer {
  private open = 0;
  private current: number;
  private readonly lagTargetMs: number;
  private readonly floor: number;
  private readonly perTransfer: number;

  /** `maxBytesPerSecond` 0: no pacing. */
  constructor(
    private readonly maxBytesPerSecond: number,
    options: PacerOptions = {},
  ) {
    this.current = maxBytesPerSecond;
    this.lagTargetMs = options.lagTargetMs ?? 5;
    this.floor = Math.min(maxBytesPerSecond, options.minBytesPerSecond ?? maxBytesPerSecond / 32);
    this.perTransfer = options.minTransferBytesPerSecond ?? 1_000_000;
  }

  get transfers(): number {
    return this.open;
  }

  /** Bytes per second for all transfers together, now: never less than the open transfers need. */
  get rate(): number {
    return Math.min(this.maxBytesPerSecond, Math.max(this.current, this.open * this.perTransfer));
  }

  /**
   * One measurement of how late the event loop ran (ms). Only counts while media is relayed: an
   * idle relay neither backs off nor climbs for someone else's lag.
   */
  observeLag(lagMs: number): void {
    if (this.maxBytesPerSecond <= 0 || this.open === 0 || !Number.isFinite(lagMs)) return;
    this.current =
      lagMs > this.lagTargetMs
        ? Math.max(this.floor, this.current * DECREASE)
        : Math.min(this.maxBytesPerSecond, this.current + this.maxBytesPerSecond * INCREASE);
  }

  /** Counts a transfer until `leave`; `pace` says how long to hold it after a chunk (ms, 0 = go on). */
  enter(): { pace: (bytes: number, now?: number) => number; leave: () => void } {
    this.open++;
    let left = false;
    // When this transfer's bytes so far are paid for. Late timers are made up for (up to 20 ms of
    // credit); a transfer that waited on its client earns no more than that.
    let due = 0;
    return {
      pace: (bytes, now = performance.now()) => {
        if (this.maxBytesPerSecond <= 0) return 0;
        const bytesPerMs = this.rate / 1000 / Math.max(1, this.open);
        due = Math.max(due, now - 20) + bytes / bytesPerMs;
        const wait = due - now;
        return wait >= 1 ? wait : 0;
      },
      leave: () => {
        if (!left) this.open--;
        left = true;
      },
    };
  }
}

/**
 * Measures how late the event loop runs: a timer every `intervalMs`, and every `windowMs` the
 * worst lateness seen in that window goes to `onLag` (ms). Stopped by the returned function; the
 * timer never keeps the process alive.
 */
export function watchLoopLag(onLag: (lagMs: number) => void, intervalMs = 10, windowMs = 50): () => void {
  const start = performance.now();
  let expected = start + intervalMs;
  let windowEnds = start + windowMs;
  let worst = 0;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    if (now >= windowEnds) {
      onLag(worst);
      worst = 0;
      windowEnds = now + windowMs;
    }
    expected = now + intervalMs;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref();
  return () => clearTimeout(timer);
}
