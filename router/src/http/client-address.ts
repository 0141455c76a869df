import type { IncomingMessage } from 'node:http';

/**
 * The client's address as Koa's `ctx.ip` reads it: the first X-Forwarded-For entry when a proxy of
 * ours sets it (TRUST_PROXY), else the socket's peer. One rule for HTTP and WebSocket limits.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
