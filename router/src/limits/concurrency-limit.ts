import type { ServerResponse } from 'node:http';
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
export const RETRY_AFTER_SECONDS = 1;

interface Pool {
  label: 'api' | 'media';
  inFlight: Map<string, number>;
  limit: number;
  name: LimitName;
}

/**
 * Bounds the requests one client address has in flight on this router, in two pools: API requests,
 * and media transfers, so that long audio downloads never use up the slots GraphQL needs (and
 * GraphQL never blocks playback). A request holds its slot until its response is sent or its
 * connection is gone. One instance serves the Koa app (`middleware`) and `/graphql`, which is
 * served below Koa (`admit`).
 */
export class ConcurrencyLimit {
  private readonly gauge = labelledGauge('ytm_http_requests_in_flight', 'Requests in flight on this router, all addresses together, by pool (api, media)', [
    'pool',
  ]);
  private readonly pools: Record<'api' | 'media', Pool>;

  constructor(private readonly options: ConcurrencyLimitOptions) {
    this.pools = {
      api: { label: 'api', inFlight: new Map(), limit: options.perAddress, name: 'http_concurrent_per_address' },
      media: { label: 'media', inFlight: new Map(), limit: options.mediaPerAddress, name: 'media_concurrent_per_address' },
    };
  }

  /**
   * Takes a slot of `address` in the request's pool until `res` closes; undefined when admitted,
   * else the refusal (counted) to answer with 429.
   */
  admit(path: string, address: string, res: ServerResponse): { message: string; limit: number } | undefined {
    const pool = this.options.isMedia(path) ? this.pools.media : this.pools.api;
    const held = pool.inFlight.get(address) ?? 0;
    if (held >= pool.limit) {
      countRejection(pool.name);
      const what = pool.label === 'media' ? 'media transfers' : 'requests';
      return { message: `Too many concurrent ${what} from this address (at most ${pool.limit}); retry when one has finished`, limit: pool.limit };
    }
    pool.inFlight.set(address, held + 1);
    this.gauge.inc({ pool: pool.label });
    res.once('close', () => {
      this.gauge.dec({ pool: pool.label });
      const left = (pool.inFlight.get(address) ?? 1) - 1;
      if (left > 0) pool.inFlight.set(address, left);
      else pool.inFlight.delete(address);
    });
    return undefined;
  }

  /** The Koa side: over the limit, 429 with Retry-After (a GraphQL-shaped error on /graphql). */
  middleware(): Koa.Middleware<AppState> {
    return async (ctx, next) => {
      const refused = this.admit(ctx.path, ctx.ip || 'unknown', ctx.res);
      if (!refused) {
        await next();
        return;
      }
      ctx.status = 429;
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      // The refused request's body is not read: end the connection rather than drain it.
      ctx.set('Connection', 'close');
      ctx.body =
        ctx.path === '/graphql'
          ? graphqlRefusal(refused.message)
          : { error: { code: 'RATE_LIMITED', message: refused.message, retryAfter: RETRY_AFTER_SECONDS } };
    };
  }
}

/** The body of a refused GraphQL request. */
export function graphqlRefusal(message: string): { errors: [{ message: string; extensions: { code: 'RATE_LIMITED'; retryAfter: number } }] } {
  return { errors: [{ message, extensions: { code: 'RATE_LIMITED', retryAfter: RETRY_AFTER_SECONDS } }] };
}
