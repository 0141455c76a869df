import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { FileTokenizer } from 'strtok3';

const WINDOW_BYTES = 64 * 1024;

/**
 * The part of a FileHandle strtok3 uses, served by synchronous reads through a 64 KB window.
 * On a parser thread nothing else waits, and music-metadata's many small async reads (each a
 * thread-pool round trip) cost several times the parsing itself.
 */
function windowedHandle(fd: number): Pick<FileHandle, 'read' | 'close'> {
  const window = Buffer.alloc(WINDOW_BYTES);
  let start = 0;
  let length = 0;
  const read = (buffer: Uint8Array, offset: number, wanted: number, position: number): number => {
    if (position >= start && position + wanted <= start + length) {
      window.copy(buffer, offset, position - start, position - start + wanted);
      return wanted;
    }
    if (wanted >= WINDOW_BYTES) return readSync(fd, buffer, offset, wanted, position);
    start = position;
    length = readSync(fd, window, 0, WINDOW_BYTES, position);
    const n = Math.min(wanted, length);
    window.copy(buffer, offset, 0, n);
    return n;
  };
  return {
    read: (async (buffer: Uint8Array, offset: number, wanted: number, position: number) => ({
      bytesRead: read(buffer, offset, wanted, position),
      buffer,
    })) as FileHandle['read'],
    close: async () => closeSync(fd),
  };
}

class SyncFileTokenizer extends FileTokenizer {
  constructor(fd: number, path: string, size: number) {
    super(windowedHandle(fd) as FileHandle, { fileInfo: { path, size } });
  }
}

/** A strtok3 tokenizer over a file, reading synchronously (for worker threads only). */
export function openSyncFileTokenizer(path: string): FileTokenizer {
  const fd = openSync(path, 'r');
  try {
    return new SyncFileTokenizer(fd, path, fstatSync(fd).size);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
