import type Koa from 'koa';
import { parseBearer, type AccessTokenVerifier } from '@ytm/auth';
import { NotFoundError } from '@ytm/errors';
import type { AppState } from '@ytm/http';
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
  access: TicketAccessService;
  plays: PlayTracker;
  active: ActiveStreams;
  verifyAccessToken: AccessTokenVerifier;
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
 */
export function streamRoutes(deps: StreamRouteDeps): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(PREFIX)) {
      await next();
      return;
    }
    const token = ctx.path.slice(PREFIX.length);
    // The access log prints the path after this middleware: the ticket is a credential.
    ctx.path = '/stream/:ticket';
    if (token.length === 0 || token.includes('/')) return reply(ctx, 404, 'NOT_FOUND');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('allow', 'GET, HEAD');
      return reply(ctx, 405, 'METHOD_NOT_ALLOWED');
    }

    let grant;
    try {
      grant = await deps.access.authorize(token, await accessContext(ctx, deps.verifyAccessToken));
    } catch (err) {
      if (err instanceof TicketRejectedError) return reply(ctx, STATUS[err.reason], err.reason);
      if (err instanceof NotFoundError) return reply(ctx, 404, 'TRACK_NOT_FOUND');
      ctx.state.log.error({ err }, 'ticket check failed');
      ctx.set('retry-after', '1');
      return reply(ctx, 503, 'UNAVAILABLE');
    }
    const { claims, file: track } = grant;

    let file: OpenFile;
    try {
      file = await openFile(track.path, deps.fileIo);
    } catch (err) {
      ctx.state.log.warn({ err: (err as Error).message, trackId: track.trackId }, 'track file cannot be opened');
      return reply(ctx, 404, 'FILE_NOT_FOUND');
    }
    try {
      const { stat } = file;
      const plan = planResponse(
        ctx.method,
        requestHeaders(ctx),
        { size: stat.size, mtimeMs: stat.mtimeMs, contentType: MIME.test(track.mimeType) ? track.mimeType : 'application/octet-stream' },
        { maxParts: deps.maxParts },
      );
      ctx.respond = false;
      ctx.res.writeHead(plan.status, { ...plan.headers, 'x-content-type-options': 'nosniff' });
      if (plan.body.length === 0) {
        ctx.res.end();
        return;
      }
      const abort = new AbortController();
      const untrack = deps.active.add(claims.ticketId, (reason) => abort.abort(reason));
      try {
        await sendFileBody(file.fd, plan.body, ctx.res, {
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
        if (abort.signal.aborted) ctx.state.log.info({ ticketId: claims.ticketId }, 'stream cut: ticket revoked');
        else if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.state.log.warn({ err: (err as Error).message }, 'stream failed');
        ctx.res.destroy();
      } finally {
        untrack();
      }
    } finally {
      await closeFile(file.fd, deps.fileIo);
    }
  };
}

function reply(ctx: Koa.ParameterizedContext<AppState>, status: number, code: string): void {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  ctx.body = { code };
}

function requestHeaders(ctx: Koa.ParameterizedContext<AppState>): RangeRequestHeaders {
  const h = ctx.request.headers;
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
async function accessContext(ctx: Koa.ParameterizedContext<AppState>, verify: AccessTokenVerifier): Promise<AccessContext> {
  const context: AccessContext = {};
  const track = ctx.query.track;
  if (typeof track === 'string' && track !== '') context.trackId = track;
  const bearer = parseBearer(ctx.get('authorization') || undefined);
  if (bearer) {
    // An expired or foreign-issuer token proves nobody; it neither helps nor hurts.
    const viewer = await verify(bearer).catch(() => undefined);
    if (viewer) context.userId = viewer.id;
  }
  return context;
}
