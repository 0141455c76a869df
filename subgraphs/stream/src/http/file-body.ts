import { read, readSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BufferPool } from './buffer-pool.js';
import type { SendScheduler, TurnTaker } from './send-scheduler.js';
import { FileRangeReadable, type FileIoMode, type ReadBudget } from './file-range-readable.js';
import type { BodyPart } from './range-plan.js';

export interface FileBodyOptions {
  /** Sizes the chunks after the first. */
  budget: ReadBudget;
  buffers: BufferPool;
  /** Whose turn it is to send. */
  scheduler: SendScheduler;
  /** Bytes of the first chunk, sent with the headers at once. */
  firstChunk: number;
  mode: FileIoMode;
  signal: AbortSignal;
  /** Called as bytes [start, end) of the file are handed to the response. */
  onBytes: (start: number, end: number) => void;
}

/**
 * Streams the planned body parts from an open file into the response with backpressure
 * (`pipeline`). Resolves when the response finished; rejects when the client went away or the
 * signal aborted, and in both cases the file streams are destroyed. The caller closes `fd`.
 */
export async function sendFileBody(fd: number, parts: BodyPart[], res: ServerResponse, options: FileBodyOptions): Promise<void> {
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && 'file' in only) {
    await pumpRange(fd, only.file.start, only.file.end, res, options);
    return;
  }
  await pipeline(Readable.from(multipartChunks(fd, parts, options), { objectMode: false }), res, { signal: options.signal });
}

/**
 * Bytes [start, end] of the file into the response: the first chunk at once, with the headers,
 * so a new listener waits behind nobody; later ones on the body's turns (`SendScheduler`), each
 * after the previous one drained (backpressure). Chunks are read into pooled buffers, given back
 * when the socket has taken them. Resolves when the response finished; rejects when the client
 * went away or the signal aborted.
 */
function pumpRange(fd: number, start: number, end: number, res: ServerResponse, options: FileBodyOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => new RangeSender(fd, start, end, res, options, resolve, reject).start());
}

class RangeSender implements TurnTaker {
  private pos: number;
  private done = false;
  private waitingDrain = false;
  private settled = false;
  private readonly leave: () => void;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
    private readonly res: ServerResponse,
    private readonly options: FileBodyOptions,
    private readonly resolve: () => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.pos = start;
    this.leave = options.budget.enter();
  }

  start(): void {
    this.res.on('drain', this.onDrain);
    this.res.on('close', this.onClose);
    this.options.signal.addEventListener('abort', this.onAbort);
    if (this.options.signal.aborted) return this.onAbort();
    this.send(this.options.firstChunk);
  }

  takeTurn(): number {
    if (this.done) return 0;
    try {
      return this.send(this.options.budget.chunkSize());
    } catch (err) {
      // A turn must never throw into the scheduler (it serves every other body too).
      this.settle(err as Error);
      return 0;
    }
  }

  /** Reads and writes one chunk; returns the bytes it cost this turn. A failed read or a gone client settles the body. */
  private send(size: number): number {
    if (this.res.destroyed || this.res.writableEnded) {
      this.settle(prematureClose());
      return 0;
    }
    const want = Math.min(size, this.end - this.pos + 1);
    const buffer = this.options.buffers.take(want);
    if (this.options.mode === 'async') {
      read(this.fd, buffer, 0, want, this.pos, (err, got) => (err ? this.dropped(buffer, err) : this.deliver(buffer, got)));
      return want;
    }
    let got: number;
    try {
      got = readSync(this.fd, buffer, 0, want, this.pos);
    } catch (err) {
      this.dropped(buffer, err as Error);
      return 0;
    }
    this.deliver(buffer, got);
    return got;
  }

  private deliver(buffer: Buffer, got: number): void {
    if (this.done) return this.options.buffers.give(buffer);
    if (this.res.destroyed || this.res.writableEnded) return this.dropped(buffer, prematureClose());
    if (got === 0) return this.dropped(buffer, new Error('file shrank while being sent'));
    this.options.onBytes(this.pos, this.pos + got);
    this.pos += got;
    // Given back only once written: a failed write may still be referenced by the socket.
    const { buffers } = this.options;
    const room = this.res.write(got === buffer.length ? buffer : buffer.subarray(0, got), (err) => {
      if (!err) buffers.give(buffer);
    });
    if (this.pos > this.end) return this.finish();
    if (room) this.options.scheduler.ready(this);
    else this.waitingDrain = true;
  }

  private dropped(buffer: Buffer, err: Error): void {
    this.options.buffers.give(buffer);
    this.settle(err);
  }

  private finish(): void {
    this.done = true;
    this.res.end(() => this.settle());
  }

  private readonly onDrain = (): void => {
    if (!this.waitingDrain || this.done) return;
    this.waitingDrain = false;
    this.options.scheduler.ready(this);
  };

  private readonly onClose = (): void => {
    if (this.res.writableFinished) this.settle();
    else this.settle(prematureClose());
  };

  private readonly onAbort = (): void => {
    const reason: unknown = this.options.signal.reason;
    this.settle(reason instanceof Error ? reason : new Error(String(reason)));
  };

  /** Ends the body once: listeners off, the stream no longer counted, the caller told. */
  private settle(err?: Error): void {
    this.done = true;
    if (this.settled) return;
    this.settled = true;
    this.res.off('drain', this.onDrain);
    this.res.off('close', this.onClose);
    this.options.signal.removeEventListener('abort', this.onAbort);
    this.leave();
    if (err) this.reject(err);
    else this.resolve();
  }
}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

function counted(source: Readable, start: number, onBytes: FileBodyOptions['onBytes']): Readable {
  let pos = start;
  source.on('data', (chunk: Buffer | string) => {
    onBytes(pos, pos + chunk.length);
    pos += chunk.length;
  });
  return source;
}

async function* multipartChunks(fd: number, parts: BodyPart[], options: FileBodyOptions): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if ('literal' in part) {
      yield part.literal;
      continue;
    }
    const source = counted(new FileRangeReadable(fd, part.file.start, part.file.end, options.budget, options.mode), part.file.start, options.onBytes);
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) yield chunk;
    } finally {
      source.destroy();
    }
  }
}
