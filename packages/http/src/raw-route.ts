import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import { asServiceUnavailable } from '@ytm/errors';
import type { Logger } from '@ytm/logger';
import { runWithTrace, traceFrom } from '@ytm/trace';
import { internalErrorBody, recordRequest, requestIdFrom, type AppState } from './app.js';

/** Serves the request and returns true, or returns false at once when the request is not its. */
export type RawRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** One request as a raw route's handler sees it. */
export interface RawExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path without the query string (not decoded). */
  path: string;
  /** The raw query string, without `?` ('' when there is none). */
  query: string;
  requestId: string;
  /** A logger bound to the request id, made on first use. */
  readonly log: Logger;
}

export interface RawRouteOptions {
  logger: Logger;
  /** Path prefix the route owns, e.g. `/stream/`. */
  prefix: string;
  /** The route owns exactly the path `prefix` (with any query string), not the paths below it. */
  exact?: boolean;
  /** The route's metrics label, e.g. `/stream`. */
  route: string;
  /** The path access logs print (paths may carry credentials), e.g. `/stream/[ticket]`. */
  logPath: string;
  handle: (exchange: RawExchange) => Promise<void>;
}

/**
 * A hot route served below Koa: no context object and no middleware chain, for requests where
 * that overhead is most of the cost (a Range request for an open file). It keeps what every YTM
 * route has: a request id (`x-request-id`), the caller's W3C trace, the access log line and the
 * request-duration metric, and a JSON 500 without internals when the handler throws.
 */
export function rawRoute({ logger, prefix, exact = false, route, logPath, handle }: RawRouteOptions): RawRoute {
  return (req, res) => {
    const url = originForm(req.url ?? '/');
    if (!url.startsWith(prefix)) return false;
    const q = url.indexOf('?');
    if (exact && (q < 0 ? url.length : q) !== prefix.length) return false;
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    let log: Logger | undefined;
    const exchange: RawExchange = {
      req,
      res,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      requestId,
      get log() {
        return (log ??= logger.child({ requestId }));
      },
    };
    const traceparent = req.headers.traceparent;
    void runWithTrace(traceFrom(typeof traceparent === 'string' ? traceparent : undefined), async () => {
      try {
        await handle(exchange);
      } catch (err) {
        const unavailable = asServiceUnavailable(err);
        if (unavailable) exchange.log.warn({ err }, 'a dependency is unavailable');
        else exchange.log.error({ err }, 'unhandled error');
        if (res.headersSent) res.destroy();
        else if (unavailable) {
          res.setHeader('Retry-After', String(unavailable.retryAfter));
          sendJson(res, 503, { error: { code: unavailable.code, message: unavailable.message, retryAfter: unavailable.retryAfter } });
        } else sendJson(res, 500, internalErrorBody(requestId));
      } finally {
        recordRequest(logger, { requestId, method: req.method ?? 'GET', route, path: logPath, status: res.statusCode, started });
      }
    });
    return true;
  };
}

/** The path and query of a request target; absolute-form (`GET http://host/p`) as Koa reads it. */
function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return target;
  }
}

/** A small JSON answer; HEAD gets the headers only. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(json.length) });
  if (res.req?.method === 'HEAD') res.end();
  else res.end(json);
}

/** The app's request handler with raw routes tried first, in order. */
export function httpHandler(app: Koa<AppState>, routes: readonly RawRoute[] = []): (req: IncomingMessage, res: ServerResponse) => unknown {
  const koa = app.callback();
  if (routes.length === 0) return koa;
  return (req, res) => {
    for (const route of routes) if (route(req, res)) return;
    return koa(req, res);
  };
}
