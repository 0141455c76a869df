import type { IncomingMessage } from 'node:http';

/**
 * The client's address for per-address limits, from Koa's `ctx.ip` (the first hop of
 * `X-Forwarded-For` when the app trusts the proxy in front, else the peer): IPv4-mapped IPv6
 * unwrapped, length bounded; undefined when unknown.
 */
export function normaliseAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const address = raw
    .trim()
    .replace(/^::ffff:/i, '')
    .slice(0, 64);
  return address === '' ? undefined : address;
}

/**
 * The client's address as Koa's `ctx.ip` reads it: the first X-Forwarded-For entry when a proxy of
 * ours sets it (`trustProxy`: TRUST_PROXY on the router, always on the services behind it), else
 * the socket's peer. One rule for HTTP and WebSocket limits, with and without Koa.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
