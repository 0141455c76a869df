/**
 * Paces the media bytes the router relays (audio from stream): together they move at most
 * `bytesPerSecond`, shared equally between the open transfers. The router copies every relayed
 * byte on its one event loop; flat out, a few bulk downloads kept it 100 % busy, and every other
 * request — a new listener's first byte, any GraphQL query — waited 0.5 s (bench/stream/run.mjs
 * --router, 50 readers: new-listener TTFB p50 544 ms unpaced, 4 ms paced at 250 MB/s).
 * A listener needs well under 1 MB/s, so the pace is felt only by bulk downloads.
 */
export class MediaPacer {
  private open = 0;

  /** `bytesPerSecond` 0: no pacing. */
  constructor(private readonly bytesPerSecond: number) {}

  get transfers(): number {
    return this.open;
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
        if (this.bytesPerSecond <= 0) return 0;
        const bytesPerMs = this.bytesPerSecond / 1000 / Math.max(1, this.open);
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
