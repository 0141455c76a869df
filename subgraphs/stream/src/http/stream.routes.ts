import type { Authenticate } from '@ytm/auth';
import { NotFoundError } from '@ytm/errors';
import { rawRoute, sendJson, type RawExchange, type RawRoute } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { TicketRejectedError, type TicketRejection } from '../domain/ticket.js';
import type { AccessContext, TicketAccessService } from '../domain/ticket-access.service.js';
import { serveOpenFile } from './file-response.js';
import { isMissingFile, openFile, type OpenFile } from './file-range-readable.js';
import { serveTranscode, type TranscodeResponseDeps } from './transcode-response.js';

export interface StreamRouteDeps extends TranscodeResponseDeps {
  logger: Logger;
  access: TicketAccessService;
  /** The process's auth edge: a valid access token sent along binds the ticket to its user. */
  authenticate: Authenticate;
}

const PREFIX = '/stream/';
const STATUS: Record<TicketRejection, number> = { TICKET_INVALID: 401, TICKET_EXPIRED: 401, TICKET_REVOKED: 403, TICKET_FOREIGN: 403 };

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
  const { req } = x;
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
  if (claims.transcode) return serveTranscode(x, deps, method, claims, track, claims.transcode);

  let file: OpenFile;
  try {
    file = await openFile(track.path, deps.fileIo);
  } catch (err) {
    if (isMissingFile(err)) {
      x.log.warn({ err: (err as Error).message, trackId: track.trackId }, 'track file not found');
      return reply(x, 404, 'FILE_NOT_FOUND');
    }
    x.log.error({ err, trackId: track.trackId }, 'track file cannot be opened');
    return reply(x, 503, 'UNAVAILABLE', { 'retry-after': '1' });
  }
  await serveOpenFile(x, deps, method, claims, file, track.mimeType, track);
}

/** A short JSON code and nothing else (never cached: the URL carries a credential). */
function reply(x: RawExchange, status: number, code: string, headers: Record<string, string> = {}): void {
  sendJson(x.res, status, { code }, { ...headers, 'cache-control': 'no-store' });
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
