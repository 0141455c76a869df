import { close, closeSync, fstat, fstatSync, open, openSync, read, readSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * How file bytes are read. `sync` is what nginx does: blocking reads from the page cache on the
 * event loop, one chunk per stream per loop turn (setImmediate), so no stream hogs the loop and a
 * new request is never queued behind the 4 libuv threads. `async` uses the thread pool and suits
 * slow or network storage, where one blocking read could stall every stream.
 */
export type FileIoMode = 'sync' | 'async';

export interface OpenFile {
  fd: number;
  stat: Stats;
}

export async function openFile(path: string, mode: FileIoMode): Promise<OpenFile> {
  if (mode === 'sync') {
    const fd = openSync(path, 'r');
    try {
      return { fd, stat: fstatSync(fd) };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }
  const fd = await new Promise<number>((resolve, reject) => open(path, 'r', (err, f) => (err ? reject(err) : resolve(f))));
  try {
    return { fd, stat: await new Promise<Stats>((resolve, reject) => fstat(fd, (err, s) => (err ? reject(err) : resolve(s)))) };
  } catch (err) {
    close(fd, () => undefined);
    throw err;
  }
}

/**
 * True when opening failed because the file is not there (404 FILE_NOT_FOUND). Any other failure
 * (EMFILE, EIO, EACCES, ELOOP…) is this server's trouble, not the track's: 503 with Retry-After, so
 * a player retries rather than skips the track.
 */
export function isMissingFile(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function closeFile(fd: number, mode: FileIoMode): Promise<void> {
  if (mode === 'sync') {
    try {
      closeSync(fd);
    } catch {
      // Already closed: nothing to release.
    }
    return;
  }
  await new Promise<void>((resolve) => close(fd, () => resolve()));
}

/**
 * Sizes reads by how many file streams are open: `turnBytes` shared between them, in power-of-two
 * chunks within [minChunk, maxChunk]. A lone listener gets big chunks; many listeners get the
 * minimum (single-range bodies take turns under the same byte budget in `SendScheduler`, which
 * bounds the turn; multipart bodies read one chunk per stream per turn).
 */
export class ReadBudget {
  private open = 0;

  constructor(
    private readonly turnBytes: number,
    private readonly minChunk: number,
    private readonly maxChunk: number,
  ) {}

  get streams(): number {
    return this.open;
  }

  /** A power of two when the bounds allow (pooled buffers are filled exactly). */
  chunkSize(): number {
    const share = Math.max(1, Math.floor(this.turnBytes / Math.max(1, this.open)));
    return Math.max(this.minChunk, Math.min(this.maxChunk, 2 ** Math.floor(Math.log2(share))));
  }

  /** Counts a stream until the returned function is called. */
  enter(): () => void {
    this.open++;
    let left = false;
    return () => {
      if (!left) this.open--;
      left = true;
    };
  }
}

/** Bytes [start, end] of an open file as a stream; the caller owns (and closes) the fd. */
export class FileRangeReadable extends Readable {
  private next: number;
  private readonly leave: () => void;
  private started = false;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
    private readonly budget: ReadBudget,
    private readonly mode: FileIoMode,
  ) {
    super({ highWaterMark: budget.chunkSize() });
    this.next = start;
    this.leave = budget.enter();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.leave();
    callback(err);
  }

  override _read(): void {
    if (this.next > this.end) {
      this.leave();
      this.push(null);
      return;
    }
    const want = Math.min(this.budget.chunkSize(), this.end - this.next + 1);
    const buffer = Buffer.allocUnsafe(want);
    if (this.mode === 'async') {
      read(this.fd, buffer, 0, want, this.next, (err, got) => this.deliver(err, buffer, got, want));
      return;
    }
    const readNow = () => {
      if (this.destroyed) return;
      try {
        this.deliver(null, buffer, readSync(this.fd, buffer, 0, want, this.next), want);
      } catch (err) {
        this.deliver(err as Error, buffer, 0, want);
      }
    };
    // The first chunk goes out at once, with the headers: a new listener does not wait behind
    // every open stream's turn. Later chunks take their turn (setImmediate) like everyone else's.
    if (!this.started) {
      this.started = true;
      readNow();
      return;
    }
    setImmediate(readNow);
  }

  private deliver(err: Error | null, buffer: Buffer, got: number, want: number): void {
    if (this.destroyed) return;
    if (err) return void this.destroy(err);
    if (got === 0) return void this.destroy(new Error('file shrank while being sent'));
    this.next += got;
    this.push(got === want ? buffer : buffer.subarray(0, got));
  }
}
