import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const cookieOf = (r: Response) => r.headers.getSetCookie().find((c) => c.startsWith('ytm_refresh='));
const tokenIn = (setCookie: string | undefined) => /^ytm_refresh=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';

describe('REST /auth/* with the cookie transport (X-YTM-Session: cookie)', () => {
  const email = `cookie-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery';

  it('signs up with the refresh token only in an HttpOnly, SameSite=Strict cookie scoped to /auth/refresh', async () => {
    const r = await post('/auth/signup', { email, password, displayName: 'Cookie' }, { 'x-ytm-session': 'cookie' });
    expect(r.status).toBe(201);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body.accessToken).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('refreshToken');
    const cookie = cookieOf(r)!;
    expect(cookie).toMatch(/; Path=\/auth\/refresh; Max-Age=2592000; HttpOnly; SameSite=Strict$/);
    expect(tokenIn(cookie).length).toBeGreaterThan(20);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('marks the cookie Secure when the request came over https (X-Forwarded-Proto from the router)', async () => {
    const r = await post('/auth/signin', { email, password }, { 'x-ytm-session': 'cookie', 'x-forwarded-proto': 'https' });
    expect(r.status).toBe(200);
    expect(cookieOf(r)).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('refreshes from the cookie and rotates it; a spent cookie is refused and cleared', async () => {
    const signIn = await post('/auth/signin', { email, password }, { 'x-ytm-session': 'cookie' });
    const first = tokenIn(cookieOf(signIn));
    const refreshed = await post('/auth/refresh', {}, { 'x-ytm-session': 'cookie', cookie: `other=1; ytm_refresh=${first}` });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Record<string, unknown>).accessToken).toEqual(expect.any(String));
    const second = tokenIn(cookieOf(refreshed));
    expect(second).not.toBe(first);
    const reused = await post('/auth/refresh', {}, { 'x-ytm-session': 'cookie', cookie: `ytm_refresh=${first}` });
    expect(reused.status).toBe(401);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(cookieOf(reused)).toMatch(/^ytm_refresh=; Path=\/auth\/refresh; Max-Age=0;/);
  });

  it('answers 401 UNAUTHENTICATED without a cookie, and keeps the body transport as it was', async () => {
    const none = await post('/auth/refresh', {}, { 'x-ytm-session': 'cookie' });
    expect(none.status).toBe(401);
    const plain = await post('/auth/signin', { email, password });
    const body = (await plain.json()) as { refreshToken: string };
    expect(body.refreshToken).toEqual(expect.any(String));
    expect(cookieOf(plain)).toBeUndefined();
    const viaBody = await post('/auth/refresh', { refreshToken: body.refreshToken });
    expect(viaBody.status).toBe(200);
  });

  it('signOut clears the cookie and ends the session', async () => {
    const signIn = await post('/auth/signin', { email, password }, { 'x-ytm-session': 'cookie' });
    const { accessToken } = (await signIn.json()) as { accessToken: string };
    const token = tokenIn(cookieOf(signIn));
    const out = await post('/auth/signout', {}, { 'x-ytm-session': 'cookie', authorization: `Bearer ${accessToken}` });
    expect(out.status).toBe(204);
    expect(cookieOf(out)).toMatch(/^ytm_refresh=; Path=\/auth\/refresh; Max-Age=0;/);
    const after = await post('/auth/refresh', {}, { 'x-ytm-session': 'cookie', cookie: `ytm_refresh=${token}` });
    expect(after.status).toBe(401);
  });
});
