import type Koa from 'koa';

/**
 * The browser transport for refresh tokens: a client that sends `X-YTM-Session: cookie` gets its
 * refresh token as an HttpOnly, SameSite=Strict cookie scoped to the refresh path (Secure over
 * https) instead of in the JSON body, so page scripts never see it; `/auth/refresh` then reads it
 * from the cookie. The custom header also makes any cross-site call a CORS preflight.
 */
export const REFRESH_COOKIE = 'ytm_refresh';
export const REFRESH_COOKIE_PATH = '/auth/refresh';
export const SESSION_TRANSPORT_HEADER = 'x-ytm-session';

type Ctx = Pick<Koa.Context, 'get' | 'append' | 'set' | 'protocol'>;

export function wantsCookie(ctx: Ctx): boolean {
  return ctx.get(SESSION_TRANSPORT_HEADER).toLowerCase() === 'cookie';
}

export function readRefreshCookie(ctx: Ctx): string | undefined {
  for (const part of ctx.get('cookie').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === REFRESH_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** `token` undefined clears the cookie. */
export function setRefreshCookie(ctx: Ctx, token: string | undefined, maxAgeSeconds: number): void {
  const attributes = [
    `${REFRESH_COOKIE}=${token === undefined ? '' : encodeURIComponent(token)}`,
    `Path=${REFRESH_COOKIE_PATH}`,
    `Max-Age=${token === undefined ? 0 : Math.floor(maxAgeSeconds)}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(ctx.protocol === 'https' ? ['Secure'] : []),
  ];
  ctx.append('Set-Cookie', attributes.join('; '));
  ctx.set('Cache-Control', 'no-store');
}
