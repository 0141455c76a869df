/** The REST twins of the auth mutations (`/auth/*`, relayed by the router), in cookie mode. */
export interface SessionUser {
  id: string;
  displayName: string;
  email: string;
  role: 'USER' | 'ADMIN';
  plan: { tier: 'FREE' | 'PREMIUM'; expiresAt: string | null };
}

export interface IssuedSession {
  accessToken: string;
  accessTokenExpiresAt: string;
  user: SessionUser;
}

/** An error the API answered with, in words for a person. */
export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const HEADERS = { 'content-type': 'application/json', 'x-ytm-session': 'cookie' };

export async function postAuth(path: 'signin' | 'signup' | 'refresh', body: unknown): Promise<IssuedSession> {
  const res = await send(`/auth/${path}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body), credentials: 'same-origin' });
  if (res.ok) return (await res.json()) as IssuedSession;
  throw await errorOf(res, path);
}

/** Ends the session on the server (and its refresh cookie); throws an AuthError when that did not happen. */
export async function postSignOut(accessToken: string): Promise<void> {
  const res = await send('/auth/signout', {
    method: 'POST',
    headers: { ...HEADERS, authorization: `Bearer ${accessToken}` },
    body: '{}',
    credentials: 'same-origin',
  });
  if (!res.ok) throw await errorOf(res, 'signout');
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new AuthError('NETWORK', 'Cannot reach the server. Check your connection and try again.');
  }
}

async function errorOf(res: Response, path: string): Promise<AuthError> {
  let error: { code?: string; message?: string; field?: string; retryAfter?: number } = {};
  try {
    error = ((await res.json()) as { error?: typeof error }).error ?? {};
  } catch {
    /* not JSON */
  }
  const code = error.code ?? `HTTP_${res.status}`;
  return new AuthError(code, describe(code, path, error), error.field, error.retryAfter);
}

function describe(code: string, path: string, e: { message?: string; retryAfter?: number }): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return path === 'signin' ? 'That email and password do not match an account.' : 'Your session has ended. Please sign in again.';
    case 'RATE_LIMITED':
      return `Too many attempts. Please wait ${waitText(e.retryAfter ?? 60)} and try again.`;
    case 'CONFLICT':
      return 'An account with this email already exists. Sign in instead?';
    case 'BAD_USER_INPUT':
      return e.message ? `${e.message}.` : 'Please check what you entered.';
    default:
      return 'Something went wrong on the server. Please try again in a moment.';
  }
}

export function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} second${Math.ceil(seconds) === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
