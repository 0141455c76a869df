import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Logger } from '@ytm/logger';
import { DomainError, HTTP_STATUS } from '@ytm/errors';
import { httpRequestDuration, metricsRegistry } from '@ytm/metrics';
import { runWithTrace, traceFrom } from '@ytm/trace';

export interface AppState {
  requestId: string;
  log: Logger;
}

/** A readiness check: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface CreateAppOptions {
  logger: Logger;
  /** Named dependency checks for `GET /ready`. */
  readiness?: Record<string, ReadinessCheck>;
  /** Extra fields for `GET /health`. */
  health?: () => Record<string, unknown>;
  readinessTimeoutMs?: number;
  /**
   * Whether X-Forwarded-For is believed (ctx.ip). True behind the router (internal services);
   * the public router trusts it only when TRUST_PROXY says a proxy of ours sits in front.
   */
  trustProxy?: boolean;
  /** The GraphQL endpoint, mounted at `/graphql` (the one place it is mounted, in every service). */
  graphql?: Koa.Middleware<AppState>;
}

/**
 * Koa app with the behaviour every YTM HTTP server shares: request IDs, structured access logs,
 * JSON errors without internals, `/health` (alive) and `/ready` (dependencies reachable).
 */
export function createApp({ logger, readiness = {}, health, readinessTimeoutMs = 2_000, trustProxy = true, graphql }: CreateAppOptions): Koa<AppState> {
  const app = new Koa<AppState>();
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
      const quiet = ctx.path === '/health' || ctx.path === '/ready' || ctx.path === '/metrics';
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
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    if (ctx.path === '/health') {
      ctx.body = { status: 'ok', uptimeSeconds: Math.round(process.uptime()), ...(health?.() ?? {}) };
      return;
    }
    if (ctx.path === '/metrics') {
      ctx.set('Content-Type', metricsRegistry.contentType);
      ctx.body = await metricsRegistry.metrics();
      return;
    }
    if (ctx.path === '/ready') {
      const results = await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => {
          try {
            await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), readinessTimeoutMs))]);
            return [name, 'ok'] as const;
          } catch (err) {
            return [name, `unavailable: ${(err as Error).message}`] as const;
          }
        }),
      );
      const ready = results.every(([, r]) => r === 'ok');
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) };
      return;
    }
    await next();
  });
  if (graphql)
    app.use(async (ctx, next) => {
      if (ctx.path === GRAPHQL_PATH) await graphql(ctx, next);
      else await next();
    });
  return app;
}

/** Where every service serves GraphQL (HTTP and, on the router, WebSocket). */
export const GRAPHQL_PATH = '/graphql';

function writeError(ctx: Koa.ParameterizedContext<AppState>, err: unknown): void {
  if (err instanceof DomainError) {
    const status = (err as { status?: number }).status ?? HTTP_STATUS[err.code];
    ctx.status = status;
    ctx.body = { error: { code: err.code, message: err.message, ...err.extensions } };
    if (err.code === 'RATE_LIMITED' && typeof err.extensions.retryAfter === 'number') ctx.set('Retry-After', String(err.extensions.retryAfter));
    return;
  }
  ctx.state.log.error({ err }, 'unhandled error');
  ctx.status = 500;
  ctx.body = internalErrorBody(ctx.state.requestId);
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
