/**
 * Recently removed tracks by identity. When a move reaches the scanner as "deleted" first and
 * "added" later (two watcher batches), the re-added file takes its old ID back.
 */
export class Tombstones {
  private readonly entries = new Map<string, { id: string; addedAt: number; at: number }>();

  constructor(
    private readonly ttlMs = 60 * 60_000,
    private readonly max = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(identity: string, id: string, addedAt: number): void {
    this.entries.delete(identity);
    this.entries.set(identity, { id, addedAt, at: this.now() });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  take(identity: string): { id: string; addedAt: number } | undefined {
    const e = this.entries.get(identity);
    if (!e) return undefined;
    this.entries.delete(identity);
    return this.now() - e.at <= this.ttlMs ? { id: e.id, addedAt: e.addedAt } : undefined;
  }
}
