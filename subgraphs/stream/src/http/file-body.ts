import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BodyPart } from './range-plan.js';

/** Read size per chunk: big enough to keep syscalls and promise hops few, small enough for 500 readers. */
const CHUNK = 256 * 1024;

/**
 * Streams the planned body parts from an open file into the response with backpressure
 * (`pipeline`). Resolves when the response finished; rejects when the client went away or
 * `signal` aborted, and in both cases the read streams are destroyed. The caller closes `file`.
 */
export async function sendFileBody(file: FileHandle, parts: BodyPart[], res: ServerResponse, signal: AbortSignal, onBytes: (start: number, end: number) => void): Promise<void> {
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && 'file' in only) {
    // The common case (200, one range): the file stream straight into the socket.
    const source = file.createReadStream({ start: only.file.start, end: only.file.end, highWaterMark: CHUNK, autoClose: false });
    let pos = only.file.start;
    source.on('data', (chunk: Buffer | string) => {
      onBytes(pos, pos + chunk.length);
      pos += chunk.length;
    });
    await pipeline(source, res, { signal });
    return;
  }
  await pipeline(Readable.from(multipartChunks(file, parts, onBytes), { objectMode: false }), res, { signal });
}

/** Positional reads: several parts share one file handle, which a read stream per part would close. */
async function* multipartChunks(file: FileHandle, parts: BodyPart[], onBytes: (start: number, end: number) => void): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if ('literal' in part) {
      yield part.literal;
      continue;
    }
    let pos = part.file.start;
    while (pos <= part.file.end) {
      const want = Math.min(CHUNK, part.file.end - pos + 1);
      const { bytesRead, buffer } = await file.read(Buffer.allocUnsafe(want), 0, want, pos);
      if (bytesRead === 0) throw new Error('file shrank while being sent');
      onBytes(pos, pos + bytesRead);
      pos += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }
}
