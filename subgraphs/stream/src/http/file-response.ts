import type { IncomingHttpHeaders } from 'node:http';
import type { RawExchange } from '@ytm/http';
import type { PlayTracker } from '../domain/play-tracker.js';
import type { TicketClaims, TrackFile } from '../domain/ticket.js';
import type { ActiveStreams } from './active-streams.js';
import type { BufferPool } from './buffer-pool.js';
import { watchStall } from './client-stall.js';
import { sendFileBody } from './file-body.js';
import { closeFile, type FileIoMode, type OpenFile, type ReadBudget } from './file-range-readable.js';
import { planResponse, type RangeRequestHeaders } from './range-plan.js';
import type { SendScheduler } from './send-scheduler.js';

export interface FileResponseDeps {
  plays: PlayTracker;
  active: ActiveStreams;
  maxParts: number;
  /** Sizes file reads by how many streams are open. */
  budget: ReadBudget;
  /** Read buffers, reused once written. */
  buffers: BufferPool;
  /** Takes turns between open bodies, a byte budget per event-loop turn. */
  scheduler: SendScheduler;
  /** Bytes sent with the headers at once. */
  firstChunk: number;
  fileIo: FileIoMode;
  /** A response whose client takes no bytes this long is cut (`CLIENT_STALL_SECONDS`). */
  clientStallMs: number;
}

const MIME = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

/**
 * Answers a GET/HEAD for an open file with full RFC 9110 semantics (preconditions, Range,
 * If-Range, multipart) and counts the bytes sent toward the play: the one way a file leaves
 * stream, for originals and finished transcodes alike. Closes the file.
 * `playFile` is what play accounting measures the bytes against (size and duration).
 */
export async function serveOpenFile(
  x: RawExchange,
  deps: FileResponseDeps,
  method: 'GET' | 'HEAD',
  claims: TicketClaims,
  file: OpenFile,
  contentType: string,
  playFile: TrackFile,
): Promise<void> {
  const { req, res } = x;
  try {
    const { stat } = file;
    const plan = planResponse(
      method,
      requestHeaders(req.headers),
      { size: stat.size, mtimeMs: stat.mtimeMs, contentType: MIME.test(contentType) ? contentType : 'application/octet-stream' },
      { maxParts: deps.maxParts },
    );
    res.writeHead(plan.status, { ...plan.headers, 'x-content-type-options': 'nosniff' });
    if (plan.body.length === 0) {
      res.end();
      return;
    }
    const abort = new AbortController();
    const untrack = deps.active.add(claims.ticketId, (reason) => abort.abort(reason));
    const unwatch = watchStall(res, deps.clientStallMs, (err) => abort.abort(err));
    try {
      await sendFileBody(file.fd, plan.body, res, {
        budget: deps.budget,
        buffers: deps.buffers,
        scheduler: deps.scheduler,
        firstChunk: deps.firstChunk,
        mode: deps.fileIo,
        signal: abort.signal,
        onBytes: (start, end) => deps.plays.served(claims, playFile, start, end),
      });
    } catch (err) {
      // Client gone, ticket revoked or client stalled mid-stream: the socket is torn down.
      if (abort.signal.aborted) x.log.info({ ticketId: claims.ticketId, reason: (abort.signal.reason as Error).message }, 'stream cut');
      else if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') x.log.warn({ err: (err as Error).message }, 'stream failed');
      res.destroy();
    } finally {
      unwatch();
      untrack();
    }
  } finally {
    await closeFile(file.fd, deps.fileIo);
  }
}

function requestHeaders(h: IncomingHttpHeaders): RangeRequestHeaders {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);
  return {
    range: one(h.range),
    ifRange: one(h['if-range']),
    ifMatch: one(h['if-match']),
    ifNoneMatch: one(h['if-none-match']),
    ifModifiedSince: one(h['if-modified-since']),
    ifUnmodifiedSince: one(h['if-unmodified-since']),
  };
}
