import type { Logger } from '@ytm/logger';

/**
 * Responses in flight per ticket. A revocation cuts them: at once when decided on this replica,
 * and within `checkMs` when another replica decided it (one query per tick for all open tickets).
 */
export class ActiveStreams {
  private readonly open = new Map<string, Set<(reason: Error) => void>>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly findRevoked: (ticketIds: string[]) => Promise<string[]>,
    private readonly onRevoked: (ticketIds: string[]) => void,
    /** Told which open tickets the database just confirmed unrevoked (keeps their state fresh). */
    private readonly onConfirmed: (ticketIds: string[], at: number) => void,
    private readonly logger: Logger,
    private readonly checkMs: number,
  ) {}

  /** Registers a response; call the returned function when it ends. */
  add(ticketId: string, cut: (reason: Error) => void): () => void {
    let set = this.open.get(ticketId);
    if (!set) {
      set = new Set();
      this.open.set(ticketId, set);
    }
    set.add(cut);
    this.ensureTimer();
    return () => {
      const s = this.open.get(ticketId);
      s?.delete(cut);
      if (s?.size === 0) this.open.delete(ticketId);
    };
  }

  /** Cuts every open response of these tickets. */
  revoke(ticketIds: readonly string[]): void {
    for (const id of ticketIds) {
      const set = this.open.get(id);
      if (!set) continue;
      this.open.delete(id);
      for (const cut of set) cut(new Error('ticket revoked'));
    }
  }

  get count(): number {
    let n = 0;
    for (const s of this.open.values()) n += s.size;
    return n;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.checkMs);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.open.size === 0) return this.stop();
    if (this.checking) return;
    this.checking = true;
    try {
      const at = Date.now();
      const ids = [...this.open.keys()];
      const revoked = await this.findRevoked(ids);
      const gone = new Set(revoked);
      this.onConfirmed(
        ids.filter((id) => !gone.has(id)),
        at,
      );
      if (revoked.length > 0) {
        this.onRevoked(revoked);
        this.revoke(revoked);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'revocation check failed');
    } finally {
      this.checking = false;
    }
  }
}
