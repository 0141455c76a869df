import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../src/features/auth/auth-api';
import { Session } from '../src/features/auth/session';

const issued = (n: number, ttlMs = 15 * 60_000) => ({
  accessToken: `at-${n}`,
  accessTokenExpiresAt: new Date(Date.now() + ttlMs).toISOString(),
  user: { id: 'u1', displayName: 'Ann', email: 'a@example.com', role: 'USER', plan: { tier: 'FREE', expiresAt: null } },
});
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('Session', () => {
  it('restores from the cookie with one refresh however many callers ask at once', async () => {
    let n = 0;
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      expect(url).toBe('/auth/refresh');
      expect((init.headers as Record<string, string>)['x-ytm-session']).toBe('cookie');
      return json(200, issued(++n));
    });
    vi.stubGlobal('fetch', fetch);
    const s = new Session();
    await Promise.all([s.restore(), s.refresh(), s.token()]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(s.current.status).toBe('signedIn');
    expect(await s.token()).toBe('at-1');
  });

  it('is signed out, quietly, when there is no session cookie', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json(401, { error: { code: 'UNAUTHENTICATED', message: 'No session cookie' } })),
    );
    const s = new Session();
    await s.restore();
    expect(s.current).toEqual({ status: 'signedOut' });
    expect(await s.token()).toBeUndefined();
  });

  it('refreshes a minute before the access token expires', async () => {
    vi.useFakeTimers();
    let n = 0;
    const fetch = vi.fn(async () => json(200, issued(++n, 5 * 60_000)));
    vi.stubGlobal('fetch', fetch);
    const s = new Session();
    await s.restore();
    await vi.advanceTimersByTimeAsync(4 * 60_000 - 1_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(s.peek()).toBe('at-2');
  });

  it('a refused refresh while signed in ends the session with a reason', async () => {
    let ok = true;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => (ok ? json(200, issued(1)) : json(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } }))),
    );
    const s = new Session();
    await s.restore();
    ok = false;
    expect(await s.refresh()).toBeUndefined();
    expect(s.current).toEqual({ status: 'signedOut', reason: 'Your session has ended. Please sign in again.' });
  });

  it('sign-in errors carry the code, the field and words for a person', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url === '/auth/signin'
          ? json(429, { error: { code: 'RATE_LIMITED', message: 'Too many', retryAfter: 600 } })
          : json(400, { error: { code: 'BAD_USER_INPUT', message: 'Password must have at least 8 characters', field: 'password' } }),
      ),
    );
    const s = new Session();
    const limited = await s.signIn('a@example.com', 'x').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(AuthError);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 600, message: 'Too many attempts. Please wait 10 minutes and try again.' });
    const weak = await s.signUp('a@example.com', 'x', 'Ann').catch((e: unknown) => e);
    expect(weak).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password', message: 'Password must have at least 8 characters.' });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('offline'))),
    );
    expect(await s.signIn('a@example.com', 'x').catch((e: unknown) => (e as AuthError).code)).toBe('NETWORK');
  });
});

/** localStorage as the browser keeps it for the origin (shared by every Session of the "page"). */
function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

describe('Session: sign-out that the server did not get', () => {
  it('offline or 5xx: the user is told and can retry; a reload does not sign back in until a sign-out succeeds', async () => {
    vi.stubGlobal('localStorage', memoryStorage());
    let server: 'down' | 'error' | 'up' = 'up';
    let cookie = true; // the refresh cookie, as the server sees it
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        calls.push(url);
        if (server === 'down') throw new TypeError('Failed to fetch');
        if (server === 'error') return json(503, { error: { code: 'UNAVAILABLE', message: 'x' } });
        if (url === '/auth/signout') {
          cookie = false;
          return new Response(null, { status: 204 });
        }
        if (url === '/auth/refresh') return cookie ? json(200, issued(calls.length)) : json(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } });
        return json(200, issued(calls.length));
      }),
    );
    const s = new Session();
    await s.signIn('a@example.com', 'pw');
    server = 'error';
    await s.signOut();
    expect(calls.at(-1)).toBe('/auth/signout');
    expect(s.current).toEqual({ status: 'signedOut', reason: expect.stringMatching(/did not complete/), signOutIncomplete: true });

    // A reload: the cookie is still valid on the server, but the app stays signed out.
    server = 'down';
    const reloaded = new Session();
    await reloaded.restore();
    expect(reloaded.current).toMatchObject({ status: 'signedOut', signOutIncomplete: true });
    server = 'up';
    const again = new Session();
    await again.restore(); // finishes the sign-out it finds pending (refresh cookie → sign out)
    expect(again.current).toEqual({ status: 'signedOut' });
    expect(cookie).toBe(false);
    expect(calls.slice(-2)).toEqual(['/auth/refresh', '/auth/signout']);
  });

  it('the retry signs out on the server; afterwards a reload finds no session', async () => {
    vi.stubGlobal('localStorage', memoryStorage());
    let down = false;
    let cookie = true;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (down) throw new TypeError('Failed to fetch');
        if (url === '/auth/signout') {
          cookie = false;
          return new Response(null, { status: 204 });
        }
        if (url === '/auth/refresh' && !cookie) return json(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } });
        return json(200, issued(1));
      }),
    );
    const s = new Session();
    await s.signIn('a@example.com', 'pw');
    down = true;
    await s.signOut();
    expect(s.current).toMatchObject({ status: 'signedOut', signOutIncomplete: true });
    down = false;
    await s.signOut(); // "Try again"
    expect(s.current).toEqual({ status: 'signedOut' });
    expect(cookie).toBe(false);
    const reloaded = new Session();
    await reloaded.restore();
    expect(reloaded.current).toEqual({ status: 'signedOut' });
  });

  it('signing in again clears the pending sign-out', async () => {
    vi.stubGlobal('localStorage', memoryStorage());
    let down = false;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        if (down) throw new TypeError('Failed to fetch');
        return json(200, issued(1));
      }),
    );
    const s = new Session();
    await s.signIn('a@example.com', 'pw');
    down = true;
    await s.signOut();
    down = false;
    await s.signIn('a@example.com', 'pw');
    const reloaded = new Session();
    await reloaded.restore();
    expect(reloaded.current.status).toBe('signedIn');
  });
});
