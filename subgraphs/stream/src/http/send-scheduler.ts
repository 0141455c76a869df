/** Something with bytes to send: called on its turn, it sends one chunk and says how many bytes. */
export interface TurnTaker {
  takeTurn(): number;
}

/**
 * Shares the event loop between open file bodies, round robin, at most `turnBytes` per loop
 * turn. One `setImmediate` serves as many waiting bodies as the budget allows and leaves the rest
 * for the next turn, so a turn stays short however many listeners there are, while each body
 * still sends big chunks (few system calls per byte).
 *
 * Sizing chunks by the number of open streams instead (every stream one chunk per turn) tied the
 * two together: 50 listeners got 16 KB chunks (~110,000 reads and writes a second at 1.7 GB/s,
 * the loop busy with per-chunk work) or long turns that a new listener's first byte waited behind.
 */
export class SendScheduler {
  private queue: TurnTaker[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly turnBytes: number) {}

  /** Queues a body for a turn (at the back: everyone ahead goes first). */
  ready(body: TurnTaker): void {
    this.queue.push(body);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    // Bodies queued during this turn (a write that did not need a drain) wait for the next one.
    const end = this.queue.length;
    let spent = 0;
    while (this.head < end && spent < this.turnBytes) {
      const body = this.queue[this.head] as TurnTaker;
      this.head++;
      spent += body.takeTurn();
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  };
}
