import mongoose from 'mongoose';

/**
 * At most `limit` operations at a time; the rest wait in arrival order. One that has waited
 * `maxWaitMs` without its turn fails with `StoreBusyError` instead of running (the caller answers
 * SERVICE_UNAVAILABLE: @ytm/errors knows the name).
 */
export class WriteGate {
  private running = 0;
  private readonly waiting: { start: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    readonly limit: number,
    private readonly maxWaitMs: number,
    /** Called for each write refused for waiting too long (a metric). */
    private readonly onRefused: () => void = () => {},
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`write gate limit must be a positive integer, got ${limit}`);
  }

  /** Operations waiting for their turn now. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running += 1;
    else await this.turn();
    try {
      return await op();
    } finally {
      // The slot passes straight to the next in line (`running` unchanged), or is given back.
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.start();
      } else this.running -= 1;
    }
  }

  private turn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          this.onRefused();
          reject(new StoreBusyError(this.maxWaitMs));
        }, this.maxWaitMs),
      };
      entry.timer.unref();
      this.waiting.push(entry);
    });
  }
}

/** A write that waited too long for its turn at the store (the store is down or overloaded). */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
  constructor(waitedMs: number) {
    super(`the store took no write for ${waitedMs} ms`);
  }
}

/**
 * The driver's collection methods that write documents; each is gated when its client has a gate.
 * `insertMany` is not among them: the driver sends it as a `bulkWrite` (gated twice, it would wait
 * for itself behind a gate of 1).
 */
export const GATED_WRITE_METHODS = [
  'insertOne',
  'bulkWrite',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
] as const;

type Client = ReturnType<mongoose.Connection['getClient']>;
const gates = new WeakMap<Client, WriteGate>();
let installed = false;

/**
 * Puts every document write made through `client` (mongoose models and raw `conn.collection()`
 * alike: both end in the driver's `Collection`) behind `gate`. The driver's write methods are
 * wrapped once, on the `Collection` prototype of the driver mongoose uses; a write of a client
 * without a gate goes straight through.
 */
export function gateWrites(client: Client, gate: WriteGate): void {
  gates.set(client, gate);
  if (installed) return;
  installed = true;
  const proto = mongoose.mongo.Collection.prototype as unknown as Record<string, unknown>;
  for (const method of GATED_WRITE_METHODS) {
    const write = proto[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof write !== 'function') throw new Error(`the driver's Collection has no ${method}()`);
    proto[method] = function gatedWrite(this: { client: Client }, ...args: unknown[]): Promise<unknown> {
      const g = gates.get(this.client);
      return g ? g.run(() => write.apply(this, args)) : write.apply(this, args);
    };
  }
}
