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
