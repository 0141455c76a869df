import { accessSync, constants } from 'node:fs';
import type { RawExchange } from '@ytm/http';
import { sendJson } from '@ytm/http';
import { FORMAT_MIME, type TranscodeSpec } from '../domain/stream-format.js';
import type { TicketClaims, TrackFile } from '../domain/ticket.js';
import { TranscodeBusyError } from '../transcode/slot-limiter.js';
import type { CachedTranscode } from '../transcode/transcode-cache.js';
import type { LiveListener, Transcoder } from '../transcode/transcoder.js';
import { watchStall } from './client-stall.js';
import { serveOpenFile, type FileResponseDeps } from './file-response.js';
import { isMissingFile, openFile } from './file-range-readable.js';
import { sendProgressive, until } from './progressive-body.js';

export interface TranscodeResponseDeps extends FileResponseDeps {
  transcoder: Transcoder;
}

const OFFSET = /^\d{1,7}(\.\d{1,6})?$/;

/**
 * A transcoded ticket's GET/HEAD. Finished (cached): the file, with Range, like an original.
 * Otherwise the transcode streams as ffmpeg makes it (no Content-Length, `Accept-Ranges: none`),
 * shared by every listener of the same transcode; `?t=<seconds>` starts at that offset in a
 * process of its own, one per ticket (a newer seek ends the previous one). The status line waits
 * for ffmpeg's first output, so an input ffmpeg cannot read gets a clean 500 TRANSCODE_FAILED; too
 * many transcodes at once get 503 with Retry-After.
 */
export async function serveTranscode(
  x: RawExchange,
  deps: TranscodeResponseDeps,
  method: 'GET' | 'HEAD',
  claims: TicketClaims,
  track: TrackFile,
  spec: TranscodeSpec,
): Promise<void> {
  const offset = parseOffset(x.query, track.durationSeconds);
  if (offset === undefined) return reply(x, 400, 'OFFSET_INVALID');
  if (offset === 0) {
    const cached = deps.transcoder.cached(track, spec);
    if (cached && (await serveCached(x, deps, method, claims, track, spec, cached))) return;
  }
  const unreadable = readError(track.path);
  if (unreadable) {
    if (isMissingFile(unreadable)) {
      x.log.warn({ trackId: track.trackId }, 'track file not found');
      return reply(x, 404, 'FILE_NOT_FOUND');
    }
    x.log.error({ err: unreadable, trackId: track.trackId }, 'track file cannot be read');
    return reply(x, 503, 'UNAVAILABLE', { 'retry-after': '1' });
  }
  if (method === 'HEAD') {
    x.res.writeHead(200, progressiveHeaders(spec));
    x.res.end();
    return;
  }
  const abort = new AbortController();
  const onClose = () => abort.abort(new Error('client gone'));
  x.res.once('close', onClose);
  try {
    let source;
    try {
      source = await deps.transcoder.open(track, spec, offset, abort.signal, { ticketId: claims.ticketId, cut: (reason) => abort.abort(reason) });
    } catch (err) {
      if (err instanceof TranscodeBusyError) return reply(x, 503, 'TRANSCODE_BUSY', { 'retry-after': String(err.retryAfterSeconds) });
      // The client went away, or a newer seek of the ticket replaced this request.
      if (abort.signal.aborted) return void x.res.destroy();
      throw err;
    }
    if (source.kind === 'cached') {
      if (await serveCached(x, deps, method, claims, track, spec, source.file)) return;
      return reply(x, 503, 'TRANSCODE_BUSY', { 'retry-after': '1' });
    }
    await serveLive(x, deps, claims, track, spec, offset, source.listener, abort);
  } finally {
    x.res.off('close', onClose);
  }
}

async function serveLive(
  x: RawExchange,
  deps: TranscodeResponseDeps,
  claims: TicketClaims,
  track: TrackFile,
  spec: TranscodeSpec,
  offset: number,
  listener: LiveListener,
  abort: AbortController,
): Promise<void> {
  const { job } = listener;
  const untrack = deps.active.add(claims.ticketId, (reason) => abort.abort(reason));
  try {
    while (job.written === 0 && job.state === 'running' && !abort.signal.aborted) await until(x.res, abort.signal, (wake) => void job.changed().then(wake));
    if (abort.signal.aborted) return void x.res.destroy();
    if (job.written === 0 && job.state === 'failed') {
      x.log.warn({ trackId: track.trackId, err: job.error?.message }, 'transcode failed before its first byte');
      return reply(x, 500, 'TRANSCODE_FAILED');
    }
    x.res.writeHead(200, progressiveHeaders(spec));
    // Play accounting measures output bytes against the transcode's nominal size.
    const bytesPerSecond = spec.bitrate * 125;
    const playFile = { ...track, size: Math.max(1, Math.round(track.durationSeconds * bytesPerSecond)) };
    const base = Math.round(offset * bytesPerSecond);
    const unwatch = watchStall(x.res, deps.clientStallMs, (err) => abort.abort(err));
    try {
      await sendProgressive(listener, x.res, abort.signal, (start, end) => deps.plays.served(claims, playFile, base + start, base + end));
    } finally {
      unwatch();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (abort.signal.aborted) x.log.info({ ticketId: claims.ticketId, reason: (abort.signal.reason as Error).message }, 'transcode stream ended early');
    else if (code !== 'ERR_STREAM_PREMATURE_CLOSE') x.log.warn({ err: (err as Error).message, trackId: track.trackId }, 'transcode stream cut');
    x.res.destroy();
  } finally {
    untrack();
    listener.leave();
  }
}

/** Serves a finished transcode like an original; false when it vanished (evicted) meanwhile. */
async function serveCached(
  x: RawExchange,
  deps: TranscodeResponseDeps,
  method: 'GET' | 'HEAD',
  claims: TicketClaims,
  track: TrackFile,
  spec: TranscodeSpec,
  cached: CachedTranscode,
): Promise<boolean> {
  let file;
  try {
    file = await openFile(cached.path, deps.fileIo);
  } catch {
    return false;
  }
  await serveOpenFile(x, deps, method, claims, file, FORMAT_MIME[spec.format].cached, { ...track, size: file.stat.size });
  return true;
}

function progressiveHeaders(spec: TranscodeSpec): Record<string, string> {
  return {
    'content-type': FORMAT_MIME[spec.format].progressive,
    'accept-ranges': 'none',
    'cache-control': 'private, no-transform',
    'x-content-type-options': 'nosniff',
  };
}

/** `t` in seconds: absent is 0; malformed, negative or past the end is undefined. */
export function parseOffset(query: string, durationSeconds: number): number | undefined {
  if (query === '') return 0;
  const raw = new URLSearchParams(query).get('t');
  if (raw === null || raw === '') return 0;
  if (!OFFSET.test(raw)) return undefined;
  const t = Number(raw);
  if (durationSeconds > 0 && t >= durationSeconds) return undefined;
  return t;
}

/** Why ffmpeg could not read the file (undefined: it can). */
function readError(path: string): Error | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

function reply(x: RawExchange, status: number, code: string, headers: Record<string, string> = {}): void {
  sendJson(x.res, status, { code }, { ...headers, 'cache-control': 'no-store' });
}
