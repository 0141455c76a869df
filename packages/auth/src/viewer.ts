import { ForbiddenError, UnauthenticatedError } from '@ytm/errors';

export type Role = 'USER' | 'ADMIN';
export type PlanTier = 'FREE' | 'PREMIUM';

/** The signed-in user as every service sees them, taken from a verified access token. */
export interface Viewer {
  id: string;
  sessionId: string;
  role: Role;
  /** The plan as signed, with an expired PREMIUM already counted as FREE. */
  plan: { tier: PlanTier; expiresAt: Date | null };
}

/** Claims of YTM access tokens (architecture.md, Auth). */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  role: Role;
  plan: { tier: PlanTier; exp?: number | null };
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

/** JOSE `typ` of access tokens (RFC 9068); playback tickets use another, so neither passes as the other. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'ES256';

export function requireViewer(viewer: Viewer | null | undefined): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}

export function requireAdmin(viewer: Viewer | null | undefined): Viewer {
  const v = requireViewer(viewer);
  if (v.role !== 'ADMIN') throw new ForbiddenError('Administrators only');
  return v;
}

export function effectiveTier(plan: { tier: PlanTier; exp?: number | null }, nowSec = Date.now() / 1000): PlanTier {
  if (plan.tier === 'PREMIUM' && typeof plan.exp === 'number' && plan.exp <= nowSec) return 'FREE';
  return plan.tier;
}
