import type { ServerResponse } from 'node:http';

/** The client took no bytes for the stall time while its response waited on it. */
export class ClientStalledError extends Error {
  constructor(ms: number) {
    super(`the client took no bytes for ${ms} ms`);
    this.name = 'ClientStalledError';
  }
}

/** Checks per stall time: a stall is called after between 1 and 1 + 1/STALL_CHECKS of it. */
const STALL_CHECKS = 4;

/**
 * Calls `onStall` once when bytes have waited for the client (buffered in the response: the
 * socket's buffers are full) for `ms` without the client taking any (no `drain`, nothing left the
 * buffer). A reader that stopped (`Range: bytes=0-`, then nothing read) would otherwise hold the
 * file descriptor, its open-stream entry and a transcode's spool forever; a slow reader that takes
 * some bytes keeps going. Returns the function that stops watching.
 */
export function watchStall(res: ServerResponse, ms: number, onStall: (err: ClientStalledError) => void): () => void {
  let buffered = res.writableLength;
  let drained = false;
  let idle = 0;
  const onDrain = () => (drained = true);
  const timer = setInterval(() => {
    const length = res.writableLength;
    const took = drained || length < buffered;
    buffered = length;
    drained = false;
    idle = length > 0 && !took ? idle + 1 : 0;
    // The first idle check may cover part of a period only: STALL_CHECKS more are the whole stall time.
    if (idle <= STALL_CHECKS) return;
    stop();
    onStall(new ClientStalledError(ms));
  }, ms / STALL_CHECKS);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    res.off('drain', onDrain);
  };
  res.on('drain', onDrain);
  return stop;
}
