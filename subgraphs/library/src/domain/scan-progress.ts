import type { ScanCounter, ScanStatus } from './model.js';

export function idleStatus(): ScanStatus {
  return { state: 'IDLE', startedAt: null, finishedAt: null, filesSeen: 0, filesParsed: 0, tracksAdded: 0, tracksUpdated: 0, tracksRemoved: 0, errors: 0 };
}

/**
 * Live counters of the running (or last) scan, with a throttle for progress announcements:
 * at most one every `minIntervalMs`; the latest status is always announced eventually, so the
 * final one (IDLE or FAILED) is never lost.
 */
export class ScanProgress {
  private current: ScanStatus = idleStatus();
  private lastAnnounced = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly announce: (status: ScanStatus) => void,
    private readonly minIntervalMs = 500,
    private readonly now: () => number = Date.now,
  ) {}

  get status(): ScanStatus {
    return { ...this.current };
  }

  get running(): boolean {
    return this.current.state === 'RUNNING';
  }

  begin(at: Date): void {
    this.current = { ...idleStatus(), state: 'RUNNING', startedAt: at };
    this.schedule();
  }

  add(counts: Partial<Pick<ScanStatus, ScanCounter>>): void {
    for (const [k, v] of Object.entries(counts) as [keyof typeof counts, number][]) this.current[k] += v;
    this.schedule();
  }

  finish(at: Date, failed: boolean): ScanStatus {
    this.current = { ...this.current, state: failed ? 'FAILED' : 'IDLE', finishedAt: at };
    this.schedule();
    return this.status;
  }

  restore(last: ScanStatus): void {
    if (!this.running) this.current = { ...last, state: last.state === 'RUNNING' ? 'FAILED' : last.state };
  }

  private schedule(): void {
    if (this.pending) return;
    const wait = this.lastAnnounced + this.minIntervalMs - this.now();
    if (wait <= 0) return this.flush();
    this.pending = setTimeout(() => this.flush(), wait);
    this.pending.unref?.();
  }

  private flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.lastAnnounced = this.now();
    this.announce(this.status);
  }
}
