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
 * The driver's collection methods that write documents. Each is gated when its client has a gate
 * and the write is a seek (`isSeekWrite`). `insertMany` is not among them: the driver sends it as a
 * `bulkWrite` (gated twice, it would wait for itself behind a gate of 1).
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
export type WriteMethod = (typeof GATED_WRITE_METHODS)[number];

/** `{ _id: <value> }` and nothing else: the one filter FerretDB finds by index. */
function isIdFilter(filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const id = (filter as { _id: unknown })._id;
  return typeof id !== 'object' || id === null || !Object.keys(id).some((k) => k.startsWith('$'));
}

/**
 * Whether a write is quick by construction: an insert, or a write of the document with a given
 * `_id` (a bulk write only when every operation is one). Those are the writes the gate holds.
 * Any other filter makes FerretDB read the whole collection first (only `_id` equality is an index
 * seek there); such a write (housekeeping's `deleteMany` by date) would hold a turn for all that
 * time, so it goes straight to the store, where its reading does not block others' writes.
 */
export function isSeekWrite(method: WriteMethod, args: readonly unknown[]): boolean {
  if (method === 'insertOne') return true;
  if (method !== 'bulkWrite') return isIdFilter(args[0]);
  const ops = args[0];
  return (
    Array.isArray(ops) &&
    ops.every((op: Record<string, { filter?: unknown } | undefined>) => {
      if (op.insertOne) return true;
      const write = op.updateOne ?? op.replaceOne ?? op.deleteOne;
      return write !== undefined && isIdFilter(write.filter);
    })
  );
}

type Client = ReturnType<mongoose.Connection['getClient']>;
const gates = new WeakMap<Client, WriteGate>();
let installed = false;

/**
 * Puts the seek writes (`isSeekWrite`) made through `client` (mongoose models and raw
 * `conn.collection()` alike: both end in the driver's `Collection`) behind `gate`. The driver's
 * write methods are wrapped once, on the `Collection` prototype of the driver mongoose uses; a
 * write of a client without a gate goes straight through.
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
      return g && isSeekWrite(method, args) ? g.run(() => write.apply(this, args)) : write.apply(this, args);
    };
  }
}
