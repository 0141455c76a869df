import { AsyncLocalStorage } from 'node:async_hooks';
import type Koa from 'koa';
import type { AppState } from '@ytm/http';

const store = new AsyncLocalStorage<string | undefined>();

/**
 * The client's address for per-address throttling: the first hop of `X-Forwarded-For` (the router
 * forwards it; `createApp` sets `app.proxy`, so that is `ctx.ip`), else the peer address.
 * Kept in async-local storage because the GraphQL context is built without the Koa context.
 */
export function clientAddressMiddleware(): Koa.Middleware<AppState> {
  return (ctx, next) => store.run(normaliseAddress(ctx.ip), next);
}

export function currentClientAddress(): string | undefined {
  return store.getStore();
}

export function normaliseAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const address = raw
    .trim()
    .replace(/^::ffff:/i, '')
    .slice(0, 64);
  return address === '' ? undefined : address;
}
