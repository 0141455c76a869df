import type Koa from 'koa';
import type { AppState } from '@ytm/http';
import { labelledGauge } from '@ytm/metrics';
import { countRejection, type LimitName } from './limit-rejections.js';

export interface ConcurrencyLimitOptions {
  /** Requests one address may have in flight: GraphQL over HTTP, /auth, /playlists, JWKS. */
  perAddress: number;
  /** Media transfers (/stream/, /art/) one address may have open: a pool of their own. */
  mediaPerAddress: number;
  /** Which requests are media transfers. */
  isMedia: (path: string) => boolean;
}

/** Seconds a refused client is asked to wait: a slot frees up as soon as one of its requests ends. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Bounds the requests one client address has in flight on this router, in two pools: API requests,
 * and media transfers, so that long audio downloads never use up the slots GraphQL needs (and
 * GraphQL never blocks playback). A request holds its slot until its response is sent or its
 * connection is gone. Over the limit: 429 with Retry-After, a GraphQL-shaped error on /graphql.
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): Koa.Middleware<AppState> {
  const gauge = labelledGauge('ytm_http_requests_in_flight', 'Requests in flight on this router, all addresses together, by pool (api, media)', ['pool']);
  const pools = {
    api: { label: 'api', inFlight: new Map<string, number>(), limit: options.perAddress, name: 'http_concurrent_per_address' as LimitName },
    media: { label: 'media', inFlight: new Map<string, number>(), limit: options.mediaPerAddress, name: 'media_concurrent_per_address' as LimitName },
  };
  return async (ctx, next) => {
    const pool = options.isMedia(ctx.path) ? pools.media : pools.api;
    const address = ctx.ip || 'unknown';
    const held = pool.inFlight.get(address) ?? 0;
    if (held >= pool.limit) {
      countRejection(pool.name);
      refuse(ctx, pool === pools.media ? 'media transfers' : 'requests', pool.limit);
      return;
    }
    pool.inFlight.set(address, held + 1);
    gauge.inc({ pool: pool.label });
    let released = false;
    ctx.res.once('close', () => {
      if (released) return;
      released = true;
      gauge.dec({ pool: pool.label });
      const left = (pool.inFlight.get(address) ?? 1) - 1;
      if (left > 0) pool.inFlight.set(address, left);
      else pool.inFlight.delete(address);
    });
    await next();
  };
}

function refuse(ctx: Koa.ParameterizedContext<AppState>, what: string, limit: number): void {
  const message = `Too many concurrent ${what} from this address (at most ${limit}); retry when one has finished`;
  ctx.status = 429;
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  // The refused request's body is not read: end the connection rather than drain it.
  ctx.set('Connection', 'close');
  ctx.body =
    ctx.path === '/graphql'
      ? { errors: [{ message, extensions: { code: 'RATE_LIMITED', retryAfter: RETRY_AFTER_SECONDS } }] }
      : { error: { code: 'RATE_LIMITED', message, retryAfter: RETRY_AFTER_SECONDS } };
}
