/** No transcode slot came free in time (or the queue was full): answer 503 with Retry-After. */
export class TranscodeBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many transcodes');
    this.name = 'TranscodeBusyError';
  }
}

interface Waiter {
  grant: (release: () => void) => void;
  fail: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * At most `max` holders at once; up to `queueLength` more wait (first come, first served) for at
 * most `waitMs`; anyone beyond is refused at once. Release functions are idempotent.
 */
export class SlotLimiter {
  private held = 0;
  private readonly queue: Waiter[] = [];
  /** The most slots ever held at once (the burst test reads it). */
  peak = 0;

  constructor(
    private readonly max: number,
    private readonly queueLength: number,
    private readonly waitMs: number,
  ) {}

  get running(): number {
    return this.held;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with the release function; rejects with TranscodeBusyError, or the signal's reason. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    if (this.held < this.max && this.queue.length === 0) return Promise.resolve(this.take());
    if (this.queue.length >= this.queueLength) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(waiter.timer);
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(new Error('aborted'));
      };
      const waiter: Waiter = {
        grant: (release) => {
          leave();
          resolve(release);
        },
        fail: (err) => {
          leave();
          reject(err);
        },
        timer: setTimeout(() => waiter.fail(this.busy()), this.waitMs),
      };
      this.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private take(): () => void {
    this.held++;
    this.peak = Math.max(this.peak, this.held);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      const next = this.queue[0];
      if (next && this.held < this.max) next.grant(this.take());
    };
  }

  /** A transcode of a song takes seconds: try again after about the queue's wait. */
  private busy(): TranscodeBusyError {
    return new TranscodeBusyError(Math.max(1, Math.ceil(this.waitMs / 1000)));
  }
}
