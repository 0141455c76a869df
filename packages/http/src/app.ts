import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Logger } from '@ytm/logger';
import { asServiceUnavailable, DomainError, HTTP_STATUS } from '@ytm/errors';
import { httpRequestDuration } from '@ytm/metrics';
import { runWithTrace, traceFrom } from '@ytm/trace';
import type { OpsSurface, ReadinessCheck } from './ops.js';

export interface AppState {
  requestId: string;
  log: Logger;
}

export interface CreateAppOptions {
  logger: Logger;
  /** Named dependency checks for the ops listener's `GET /ready`. */
  readiness?: Record<string, ReadinessCheck>;
  /** Extra fields for the ops listener's `GET /health`. */
  health?: () => Record<string, unknown>;
  readinessTimeoutMs?: number;
  /**
   * Whether X-Forwarded-For is believed (ctx.ip). True behind the router (internal services);
   * the public router trusts it only when TRUST_PROXY says a proxy of ours sits in front.
   */
  trustProxy?: boolean;
  /** The service's own middleware and routes, in order (routers from @koa/router included); `/graphql` is a raw route. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a router's middleware widens the context with its own fields
  use?: Koa.Middleware<AppState, any>[];
}

/** A service's public Koa app, carrying what its ops listener serves (`listenOps(app.ops, …)`). */
export type ServiceApp = Koa<AppState> & { readonly ops: OpsSurface };

/**
 * Koa app with the behaviour every YTM HTTP server shares: request IDs, structured access logs,
 * JSON errors without internals, and a bare `GET /health` (`{"status":"ok"}`, for load balancers).
 * The details (`/health` with the service's fields, `/ready`, `/metrics`) are not served here but
 * on the ops listener, from `app.ops`.
 */
export function createApp({ logger, readiness = {}, health, readinessTimeoutMs = 2_000, trustProxy = true, use = [] }: CreateAppOptions): ServiceApp {
  const app = Object.assign(new Koa<AppState>(), { ops: { readiness, health, readinessTimeoutMs } satisfies OpsSurface });
  app.proxy = trustProxy;
  app.silent = true;
  // The whole request, its access log included, runs in the caller's W3C trace.
  app.use((ctx, next) => runWithTrace(traceFrom(ctx.get('traceparent') || undefined), next));
  app.use(async (ctx, next) => {
    const requestId = requestIdFrom(ctx.get('x-request-id'));
    ctx.state.requestId = requestId;
    // The request's logger is made on first use: most requests log only the access line below.
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (log ??= logger.child({ requestId })), enumerable: true, configurable: true });
    ctx.set('x-request-id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } catch (err) {
      writeError(ctx, err);
    } finally {
      const quiet = ctx.path === '/health';
      recordRequest(logger, {
        requestId,
        method: ctx.method,
        route: routeLabel(ctx.path),
        path: quiet ? undefined : redactPath(ctx.path),
        status: ctx.status,
        started,
      });
    }
  });
  app.use(async (ctx, next) => {
    if (ctx.path === '/health' && (ctx.method === 'GET' || ctx.method === 'HEAD')) ctx.body = { status: 'ok' };
    else await next();
  });
  for (const middleware of use) app.use(middleware);
  return app;
}

/** Where every service serves GraphQL (HTTP and, on the router, WebSocket). */
export const GRAPHQL_PATH = '/graphql';

function writeError(ctx: Koa.ParameterizedContext<AppState>, thrown: unknown): void {
  const unavailable = thrown instanceof DomainError ? undefined : asServiceUnavailable(thrown);
  if (unavailable) ctx.state.log.warn({ err: thrown }, 'a dependency is unavailable');
  const err = unavailable ?? thrown;
  if (err instanceof DomainError) {
    const answer = domainErrorAnswer(err);
    ctx.status = answer.status;
    ctx.body = answer.body;
    if (answer.retryAfter !== undefined) ctx.set('Retry-After', String(answer.retryAfter));
    return;
  }
  if (ctx.req.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
    // The client went away before its request body arrived: nobody to answer, nothing went wrong here.
    ctx.status = 499;
    return;
  }
  ctx.state.log.error({ err }, 'unhandled error');
  ctx.status = 500;
  ctx.body = internalErrorBody(ctx.state.requestId);
}

/** How a DomainError is answered over plain HTTP: its status, `{ error: { code, message, … } }`, Retry-After when it has one. */
export function domainErrorAnswer(err: DomainError): { status: number; body: { error: Record<string, unknown> }; retryAfter?: number } {
  const status = (err as { status?: number }).status ?? HTTP_STATUS[err.code];
  const retryAfter = typeof err.extensions.retryAfter === 'number' ? err.extensions.retryAfter : undefined;
  return { status, body: { error: { code: err.code, message: err.message, ...err.extensions } }, ...(retryAfter !== undefined ? { retryAfter } : {}) };
}

/** The request-duration metric and, unless `path` is undefined, the access log line. */
export function recordRequest(
  logger: Logger,
  r: { requestId: string; method: string; route: string; path: string | undefined; status: number; started: bigint },
): void {
  const ms = Number(process.hrtime.bigint() - r.started) / 1e6;
  httpRequestDuration.observe({ method: r.method, route: r.route, status: String(r.status) }, ms / 1000);
  if (r.path !== undefined && logger.isLevelEnabled('info')) {
    logger.info({ requestId: r.requestId, method: r.method, path: r.path, status: r.status, ms: Math.round(ms * 10) / 10 }, 'request');
  }
}

/** The caller's request id when well-formed (it is echoed and logged), else a new one. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

/** What a client sees of an unexpected failure: nothing but the id to quote. */
export function internalErrorBody(requestId: string): { error: { code: string; message: string; requestId: string } } {
  return { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', requestId } };
}

/** Bounded label values: the first path segment only (IDs and tickets never become labels). */
function routeLabel(path: string): string {
  const first = path.split('/')[1] ?? '';
  return /^[a-z._-]{1,32}$/i.test(first) ? `/${first}` : '/other';
}

/** Playback tickets travel in the URL path (an <audio> element sends no headers): never log them. */
export function redactPath(path: string): string {
  return path.startsWith('/stream/') ? '/stream/[ticket]' : path;
}
