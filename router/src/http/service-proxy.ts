import http from 'node:http';
import { pipeline } from 'node:stream';
import type Koa from 'koa';
import type { AppState } from '@ytm/http';
import { currentTraceparent } from '@ytm/trace';
import type { MediaPacer } from './media-pacer.js';

export interface ProxyRoute {
  /** Path prefix, e.g. `/stream/`. */
  prefix: string;
  /** Exact paths, e.g. `/.well-known/jwks.json`. */
  exact?: boolean;
  /** Subgraph name whose HTTP server answers. */
  service: string;
  methods: string[];
  /** Bulk media: response bodies are relayed at the pacer's rate. */
  paced?: boolean;
}

export interface ProxyOptions {
  routes: ProxyRoute[];
  /** The base URL of a service's live instance. */
  target: (service: string) => string | undefined;
  /**
   * Another live instance's base URL after the one at `failedBase` could not be reached (it is
   * set aside for a while): a GET or HEAD that got no answer is tried there once.
   */
  alternative?: (service: string, failedBase: string) => string | undefined;
  /** Time to get response headers from the service (bodies stream for as long as they need). */
  headersTimeoutMs: number;
  /** Paces the bodies of `paced` routes. */
  pacer?: MediaPacer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function copyHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1_024 });

/**
 * Streams requests to a service's HTTP server without buffering: Range and conditional headers,
 * statuses and lengths pass unchanged; a client that goes away aborts the upstream request.
 */
export function serviceProxy({ routes, target, alternative, headersTimeoutMs, pacer }: ProxyOptions): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    const route = routes.find((r) => (r.exact ? ctx.path === r.prefix : ctx.path.startsWith(r.prefix)));
    if (!route) {
      await next();
      return;
    }
    if (!route.methods.includes(ctx.method)) {
      ctx.status = 405;
      ctx.set('Allow', route.methods.join(', '));
      ctx.body = { error: { code: 'METHOD_NOT_ALLOWED', message: `Use ${route.methods.join(' or ')}` } };
      return;
    }
    const base = target(route.service);
    if (!base) {
      ctx.status = 503;
      ctx.body = { error: { code: 'SERVICE_UNAVAILABLE', message: `${route.service} is not available` } };
      return;
    }
    const headers = copyHeaders(ctx.req.headers);
    headers['x-request-id'] = ctx.state.requestId;
    const traceparent = currentTraceparent();
    if (traceparent) headers.traceparent = traceparent;
    headers['x-forwarded-for'] = ctx.ip;
    // How the client reached us (https only when TRUST_PROXY believes the proxy in front): resource marks cookies Secure by it.
    headers['x-forwarded-proto'] = ctx.protocol;
    // Without a body to replay, a request no instance answered can go to another one.
    const replayable = ctx.method === 'GET' || ctx.method === 'HEAD';
    ctx.respond = false;
    await new Promise<void>((resolve) => {
      let answered = false;
      const fail = (status: number, code: string) => {
        if (answered || ctx.res.headersSent) {
          ctx.res.destroy();
        } else {
          answered = true;
          ctx.res.writeHead(status, { 'content-type': 'application/json' });
          ctx.res.end(JSON.stringify({ error: { code, message: `${route.service} did not answer` } }));
        }
        resolve();
      };
      const send = (instance: string, retry: boolean) => {
        const upstream = http.request(new URL(ctx.url, instance), { method: ctx.method, headers, agent, timeout: headersTimeoutMs });
        upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (answered || ctx.res.destroyed) return fail(502, 'BAD_GATEWAY');
          if (retry && err.code === 'ECONNRESET' && upstream.reusedSocket) return send(instance, false); // a kept-alive connection the instance had just closed
          const other = retry && UNREACHABLE.has(err.code ?? '') ? alternative?.(route.service, instance) : undefined;
          if (other) return send(other, false);
          fail(err.code === 'ETIMEDOUT' ? 504 : 502, err.code === 'ETIMEDOUT' ? 'GATEWAY_TIMEOUT' : 'BAD_GATEWAY');
        });
        upstream.on('response', (res) => {
          answered = true;
          upstream.setTimeout(0);
          ctx.res.writeHead(res.statusCode ?? 502, copyHeaders(res.headers));
          if (route.paced && pacer) relayPaced(res, ctx.res, pacer, resolve);
          else pipeline(res, ctx.res, () => resolve());
        });
        ctx.res.on('close', () => {
          if (!ctx.res.writableFinished) upstream.destroy();
        });
        if (replayable) upstream.end();
        else pipeline(ctx.req, upstream, () => undefined);
      };
      send(base, replayable);
    });
  };
}

/** Errors of an instance that could not be reached or dropped the request before answering. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Like `pipeline(from, to)`, holding `from` while `to` is full (backpressure) and while the
 * transfer is ahead of its share of the media rate. `done` once either side is finished or gone.
 */
function relayPaced(from: http.IncomingMessage, to: http.ServerResponse, pacer: MediaPacer, done: () => void): void {
  const transfer = pacer.enter();
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    transfer.leave();
    done();
  };
  from.on('data', (chunk: Buffer) => {
    const room = to.write(chunk);
    const wait = transfer.pace(chunk.length);
    if (room && wait === 0) return;
    from.pause();
    let drained = room;
    let rested = wait === 0;
    const resume = () => {
      if (drained && rested && !finished) from.resume();
    };
    if (!room)
      to.once('drain', () => {
        drained = true;
        resume();
      });
    if (wait > 0)
      timer = setTimeout(() => {
        rested = true;
        resume();
      }, wait);
  });
  from.on('end', () => to.end(finish));
  from.on('error', () => {
    to.destroy();
    finish();
  });
  to.on('close', () => {
    if (!from.complete) from.destroy();
    finish();
  });
}
