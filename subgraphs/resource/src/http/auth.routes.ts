import type Koa from 'koa';
import Router from '@koa/router';
import type { Authenticate } from '@ytm/auth';
import { BadUserInputError, UnauthenticatedError } from '@ytm/errors';
import { normaliseAddress, readJson, type AppState } from '@ytm/http';
import type { AccountService } from '../domain/account.service.js';
import type { IssuedSession } from '../domain/session.js';
import type { KeyRing } from '../crypto/key-ring.js';
import { readRefreshCookie, setRefreshCookie, wantsCookie } from './refresh-cookie.js';

const BODY_LIMIT = 16 * 1024;

function stringField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new BadUserInputError(`"${name}" must be a string`, name);
  return value;
}

/** The session as JSON; with the cookie transport the refresh token goes into the cookie instead. */
function sessionBody(ctx: Koa.ParameterizedContext<AppState>, s: IssuedSession, refreshTtlSeconds: number) {
  const cookie = wantsCookie(ctx);
  if (cookie) setRefreshCookie(ctx, s.refreshToken, refreshTtlSeconds);
  const { id, displayName, role, plan, createdAt } = s.user;
  return {
    accessToken: s.accessToken,
    accessTokenExpiresAt: s.accessTokenExpiresAt.toISOString(),
    ...(cookie ? {} : { refreshToken: s.refreshToken }),
    user: {
      id,
      displayName,
      email: s.user.email,
      role,
      plan: { tier: plan.tier, expiresAt: plan.expiresAt?.toISOString() ?? null },
      createdAt: createdAt.toISOString(),
    },
  };
}

/** REST twins of the auth mutations (same rules and codes, as HTTP statuses) and the JWKS. */
export function authRoutes(accounts: AccountService, keyRing: KeyRing, authenticate: Authenticate, refreshTtlSeconds: number): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/.well-known/jwks.json', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = await keyRing.jwks();
  });
  router.post('/auth/signup', async (ctx) => {
    const body = await readJson(ctx.req, BODY_LIMIT);
    ctx.status = 201;
    const session = await accounts.signUp({
      email: stringField(body, 'email'),
      password: stringField(body, 'password'),
      displayName: stringField(body, 'displayName'),
    });
    ctx.body = sessionBody(ctx, session, refreshTtlSeconds);
  });
  router.post('/auth/signin', async (ctx) => {
    const body = await readJson(ctx.req, BODY_LIMIT);
    const session = await accounts.signIn(stringField(body, 'email'), stringField(body, 'password'), normaliseAddress(ctx.ip));
    ctx.body = sessionBody(ctx, session, refreshTtlSeconds);
  });
  router.post('/auth/refresh', async (ctx) => {
    const body = await readJson(ctx.req, BODY_LIMIT);
    // The cookie transport: the token comes from the cookie (a spent or unknown one clears it).
    const fromCookie = wantsCookie(ctx) && (body as Record<string, unknown> | undefined)?.refreshToken === undefined;
    const token = fromCookie ? readRefreshCookie(ctx) : stringField(body, 'refreshToken');
    if (token === undefined) throw new UnauthenticatedError('No session cookie');
    try {
      ctx.body = sessionBody(ctx, await accounts.refresh(token), refreshTtlSeconds);
    } catch (err) {
      if (fromCookie) setRefreshCookie(ctx, undefined, 0);
      throw err;
    }
  });
  router.post('/auth/signout', async (ctx) => {
    const caller = await authenticate(ctx.get('authorization'));
    if (!caller) throw new UnauthenticatedError();
    await accounts.signOut(caller.viewer);
    if (wantsCookie(ctx)) setRefreshCookie(ctx, undefined, 0);
    ctx.status = 204;
  });
  return router;
}
