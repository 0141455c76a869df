import { read, readSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BufferPool } from './buffer-pool.js';
import { FileRangeReadable, type FileIoMode, type ReadBudget } from './file-range-readable.js';
import type { BodyPart } from './range-plan.js';

export interface FileBodyOptions {
  budget: ReadBudget;
  buffers: BufferPool;
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
 * Bytes [start, end] of the file into the response, one chunk per event-loop turn (nginx's
 * model): the first chunk at once, with the headers, so a new listener waits behind nobody;
 * later ones after `setImmediate`, so no stream hogs the loop; each after the previous one
 * drained (backpressure). Chunks are read into pooled buffers, given back when the socket has
 * taken them.
 */
async function pumpRange(fd: number, start: number, end: number, res: ServerResponse, options: FileBodyOptions): Promise<void> {
  const { budget, buffers, mode, signal, onBytes } = options;
  const leave = budget.enter();
  try {
    for (let pos = start, first = true; pos <= end; first = false) {
      if (!first) await nextTurn();
      check(res, signal);
      const want = Math.min(budget.chunkSize(), end - pos + 1);
      const buffer = buffers.take(want);
      let got: number;
      try {
        got = mode === 'sync' ? readSync(fd, buffer, 0, want, pos) : await readAsync(fd, buffer, want, pos);
      } catch (err) {
        buffers.give(buffer);
        throw err;
      }
      if (got === 0) {
        buffers.give(buffer);
        throw new Error('file shrank while being sent');
      }
      check(res, signal);
      onBytes(pos, pos + got);
      pos += got;
      // Given back only once written: a failed write may still be referenced by the socket.
      const room = res.write(got === buffer.length ? buffer : buffer.subarray(0, got), (err) => {
        if (!err) buffers.give(buffer);
      });
      if (!room && pos <= end) await drained(res, signal);
    }
    check(res, signal);
    await new Promise<void>((resolve, reject) => {
      res.end(() => resolve());
      res.once('close', () => (res.writableFinished ? resolve() : reject(prematureClose())));
    });
  } finally {
    leave();
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function readAsync(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, length, position, (err, got) => (err ? reject(err) : resolve(got))));
}

function check(res: ServerResponse, signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  if (res.destroyed || res.writableEnded) throw prematureClose();
}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** Resolves on 'drain'; rejects if the client goes away or the signal aborts first. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(prematureClose());
    const onAbort = () => settle(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    res.on('drain', onDrain);
    res.on('close', onClose);
    signal.addEventListener('abort', onAbort);
  });
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
