/**
 * Failed sign-ins per client address in a fixed window. Past the limit, requests from that
 * address are refused before any credential is checked, so guessing costs a map lookup here and
 * nothing in resource (which throttles passwords per account and address on its own too).
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfter(address: string): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    if (w.resetAt <= this.now()) {
      this.windows.delete(address);
      return 0;
    }
    return w.count >= this.limit ? Math.ceil((w.resetAt - this.now()) / 1000) : 0;
  }

  fail(address: string): void {
    const now = this.now();
    const w = this.windows.get(address);
    if (!w || w.resetAt <= now) this.windows.set(address, { count: 1, resetAt: now + this.windowMs });
    else w.count += 1;
    if (this.windows.size > 100_000) this.sweep();
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}
