/**
 * Read buffers handed back once the socket has taken their bytes. Fifty listeners at 1 GB/s
 * allocated ~25,000 fresh 40 KB buffers a second: the garbage collector ran ~40 times a second
 * and paused the loop up to 18 ms, which every new listener waited behind. Reusing them
 * leaves nothing to collect.
 *
 * Buffers come in power-of-two sizes (at least `minBytes`); at most `maxPooledBytes` are kept.
 * A buffer never given back (a write that failed) is simply garbage.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private pooled = 0;

  constructor(
    private readonly minBytes = 16 * 1024,
    private readonly maxPooledBytes = 32 * 1024 * 1024,
  ) {}

  /** A buffer of at least `size` bytes (its contents are stale). */
  take(size: number): Buffer {
    const bytes = Math.max(this.minBytes, 2 ** Math.ceil(Math.log2(Math.max(1, size))));
    const reused = this.free.get(bytes)?.pop();
    if (reused) {
      this.pooled -= bytes;
      return reused;
    }
    return Buffer.allocUnsafeSlow(bytes);
  }

  /** Back to the pool: the caller no longer touches it, nor does anyone it lent it to. */
  give(buffer: Buffer): void {
    if (this.pooled + buffer.length > this.maxPooledBytes) return;
    const list = this.free.get(buffer.length);
    if (list) list.push(buffer);
    else this.free.set(buffer.length, [buffer]);
    this.pooled += buffer.length;
  }

  get pooledBytes(): number {
    return this.pooled;
  }
}
