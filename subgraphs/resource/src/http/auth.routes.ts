import Router from '@koa/router';
import type { Authenticate } from '@ytm/auth';
import { BadUserInputError, UnauthenticatedError } from '@ytm/errors';
import { normaliseAddress, readJson, type AppState } from '@ytm/http';
import type { AccountService } from '../domain/account.service.js';
import type { IssuedSession } from '../domain/session.js';
import type { KeyRing } from '../crypto/key-ring.js';

const BODY_LIMIT = 16 * 1024;

function stringField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new BadUserInputError(`"${name}" must be a string`, name);
  return value;
}

function sessionJson(s: IssuedSession) {
  const { id, displayName, role, plan, createdAt } = s.user;
  return {
    accessToken: s.accessToken,
    accessTokenExpiresAt: s.accessTokenExpiresAt.toISOString(),
    refreshToken: s.refreshToken,
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
export function authRoutes(accounts: AccountService, keyRing: KeyRing, authenticate: Authenticate): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/.well-known/jwks.json', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = await keyRing.jwks();
  });
  router.post('/auth/signup', async (ctx) => {
    const body = await readJson(ctx.req, BODY_LIMIT);
    ctx.status = 201;
    ctx.body = sessionJson(
      await accounts.signUp({ email: stringField(body, 'email'), password: stringField(body, 'password'), displayName: stringField(body, 'displayName') }),
    );
  });
  router.post('/auth/signin', async (ctx) => {
    const body = await readJson(ctx.req, BODY_LIMIT);
    ctx.body = sessionJson(await accounts.signIn(stringField(body, 'email'), stringField(body, 'password'), normaliseAddress(ctx.ip)));
  });
  router.post('/auth/refresh', async (ctx) => {
    const body = await readJson(ctx.req, BODY_LIMIT);
    ctx.body = sessionJson(await accounts.refresh(stringField(body, 'refreshToken')));
  });
  router.post('/auth/signout', async (ctx) => {
    const caller = await authenticate(ctx.get('authorization'));
    if (!caller) throw new UnauthenticatedError();
    await accounts.signOut(caller.viewer);
    ctx.status = 204;
  });
  return router;
}
