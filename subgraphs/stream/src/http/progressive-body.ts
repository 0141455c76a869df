import { readSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { LiveListener } from '../transcode/transcoder.js';

const CHUNK = 64 * 1024;

/**
 * Sends a transcode being made, from its first byte, as ffmpeg writes it: reads the listener's
 * spool descriptor up to what the job has written, then waits for more. Resolves when the job
 * ended well and everything was sent; rejects when it failed (the response is then cut, so the
 * client sees an incomplete body, never a short file passed off as whole), the client went away
 * or the signal aborted. `onBytes` gets each range of output bytes handed to the response.
 */
export async function sendProgressive(
  listener: LiveListener,
  res: ServerResponse,
  signal: AbortSignal,
  onBytes: (start: number, end: number) => void,
): Promise<void> {
  const { job, fd } = listener;
  let pos = 0;
  for (;;) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    if (res.destroyed) throw Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    if (pos < job.written) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, job.written - pos));
      const got = readSync(fd, buffer, 0, buffer.length, pos);
      if (got === 0) throw new Error('spool shrank');
      onBytes(pos, pos + got);
      pos += got;
      if (!res.write(got === buffer.length ? buffer : buffer.subarray(0, got))) await until(res, signal, (wake) => res.once('drain', wake));
      continue;
    }
    if (job.state === 'done') {
      await new Promise<void>((resolve) => res.end(resolve));
      return;
    }
    if (job.state === 'failed') throw job.error ?? new Error('transcode failed');
    await until(res, signal, (wake) => void job.changed().then(wake));
  }
}

/** Waits for `arm`'s wake-up, the response closing, or the signal: whichever comes first. */
export function until(res: ServerResponse, signal: AbortSignal, arm: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const wake = () => {
      if (done) return;
      done = true;
      res.off('close', wake);
      res.off('drain', wake);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    res.once('close', wake);
    signal.addEventListener('abort', wake, { once: true });
    arm(wake);
  });
}
