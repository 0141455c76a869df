import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileRangeReadable, type FileIoMode, type ReadBudget } from './file-range-readable.js';
import type { BodyPart } from './range-plan.js';

export interface FileBodyOptions {
  budget: ReadBudget;
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
    await pipeline(counted(new FileRangeReadable(fd, only.file.start, only.file.end, options.budget, options.mode), only.file.start, options.onBytes), res, {
      signal: options.signal,
    });
    return;
  }
  await pipeline(Readable.from(multipartChunks(fd, parts, options), { objectMode: false }), res, { signal: options.signal });
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
