import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticate } from '@ytm/auth';
import { NotFoundError } from '@ytm/errors';
import { rawRoute, sendJson, type RawExchange, type RawRoute } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import type { PlayTracker } from '../domain/play-tracker.js';
import { TicketRejectedError, type TicketRejection } from '../domain/ticket.js';
import type { AccessContext, TicketAccessService } from '../domain/ticket-access.service.js';
import type { ActiveStreams } from './active-streams.js';
import type { BufferPool } from './buffer-pool.js';
import type { SendScheduler } from './send-scheduler.js';
import { sendFileBody } from './file-body.js';
import { closeFile, openFile, type FileIoMode, type OpenFile, type ReadBudget } from './file-range-readable.js';
import { planResponse, type RangeRequestHeaders } from './range-plan.js';

export interface StreamRouteDeps {
  logger: Logger;
  access: TicketAccessService;
  plays: PlayTracker;
  active: ActiveStreams;
  /** The process's auth edge: a valid access token sent along binds the ticket to its user. */
  authenticate: Authenticate;
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
}

const PREFIX = '/stream/';
const STATUS: Record<TicketRejection, number> = { TICKET_INVALID: 401, TICKET_EXPIRED: 401, TICKET_REVOKED: 403, TICKET_FOREIGN: 403 };
const MIME = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

/**
 * The Range endpoint, `GET|HEAD /stream/<ticket>`: the ticket names the track, the library
 * names the file; nothing in the request is ever used as a path.
 *
 * Served below Koa (`rawRoute`): every play is a string of Range requests, and a new listener's
 * first byte should wait on nothing but the ticket check and the file. Koa's context and
 * middleware chain were most of a Range request's CPU cost outside the body.
 */
export function streamRoutes(deps: StreamRouteDeps): RawRoute {
  return rawRoute({ logger: deps.logger, prefix: PREFIX, route: '/stream', logPath: '/stream/[ticket]', handle: (x) => serve(x, deps) });
}

async function serve(x: RawExchange, deps: StreamRouteDeps): Promise<void> {
  const { req, res } = x;
  const token = x.path.slice(PREFIX.length);
  if (token.length === 0 || token.includes('/')) return reply(x, 404, 'NOT_FOUND');
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(x, 405, 'METHOD_NOT_ALLOWED', { allow: 'GET, HEAD' });
  const method = req.method;

  let grant;
  try {
    grant = await deps.access.authorize(token, await accessContext(x, deps.authenticate));
  } catch (err) {
    if (err instanceof TicketRejectedError) return reply(x, STATUS[err.reason], err.reason);
    if (err instanceof NotFoundError) return reply(x, 404, 'TRACK_NOT_FOUND');
    x.log.error({ err }, 'ticket check failed');
    return reply(x, 503, 'UNAVAILABLE', { 'retry-after': '1' });
  }
  const { claims, file: track } = grant;

  let file: OpenFile;
  try {
    file = await openFile(track.path, deps.fileIo);
  } catch (err) {
    x.log.warn({ err: (err as Error).message, trackId: track.trackId }, 'track file cannot be opened');
    return reply(x, 404, 'FILE_NOT_FOUND');
  }
  try {
    const { stat } = file;
    const plan = planResponse(
      method,
      requestHeaders(req.headers),
      { size: stat.size, mtimeMs: stat.mtimeMs, contentType: MIME.test(track.mimeType) ? track.mimeType : 'application/octet-stream' },
      { maxParts: deps.maxParts },
    );
    res.writeHead(plan.status, { ...plan.headers, 'x-content-type-options': 'nosniff' });
    if (plan.body.length === 0) {
      res.end();
      return;
    }
    const abort = new AbortController();
    const untrack = deps.active.add(claims.ticketId, (reason) => abort.abort(reason));
    try {
      await sendFileBody(file.fd, plan.body, res, {
        budget: deps.budget,
        buffers: deps.buffers,
        scheduler: deps.scheduler,
        firstChunk: deps.firstChunk,
        mode: deps.fileIo,
        signal: abort.signal,
        onBytes: (start, end) => deps.plays.served(claims, track, start, end),
      });
    } catch (err) {
      // Client gone or ticket revoked mid-stream: the socket is already torn down.
      if (abort.signal.aborted) x.log.info({ ticketId: claims.ticketId }, 'stream cut: ticket revoked');
      else if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') x.log.warn({ err: (err as Error).message }, 'stream failed');
      res.destroy();
    } finally {
      untrack();
    }
  } finally {
    await closeFile(file.fd, deps.fileIo);
  }
}

/** A short JSON code and nothing else (never cached: the URL carries a credential). */
function reply(x: RawExchange, status: number, code: string, headers: Record<string, string> = {}): void {
  sendJson(x.res, status, { code }, { ...headers, 'cache-control': 'no-store' });
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

/** Optional binding checks: `?track=` and a valid access token sent along must match the ticket. */
async function accessContext(x: RawExchange, authenticate: Authenticate): Promise<AccessContext> {
  const context: AccessContext = {};
  if (x.query !== '') {
    const track = new URLSearchParams(x.query).get('track');
    if (track) context.trackId = track;
  }
  // A malformed, expired or foreign-issuer token proves nobody; it neither helps nor hurts.
  const caller = await authenticate(x.req.headers.authorization).catch(() => null);
  if (caller) context.userId = caller.viewer.id;
  return context;
}
