/**
 * A per-subscriber async queue with a hard bound: a slow reader can never make the producer
 * wait or grow memory without limit; `push` reports overflow so the caller can drop the client.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private isEnded = false;

  constructor(
    private readonly limit: number,
    private readonly onEnd: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Ended: nothing more is accepted. */
  get ended(): boolean {
    return this.isEnded;
  }

  /** False when the queue is full (the item is dropped) or already ended. */
  push(item: T): boolean {
    if (this.isEnded) return false;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.limit) return false;
    this.items.push(item);
    return true;
  }

  /** Ends after the queued items are read. */
  end(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
    this.onEnd();
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.isEnded) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
