import { ForbiddenError, UnauthenticatedError } from '@ytm/errors';

export type Role = 'USER' | 'ADMIN';
export type PlanTier = 'FREE' | 'PREMIUM';

/** A subscription plan; `expiresAt` null: does not expire. */
export interface Plan {
  tier: PlanTier;
  expiresAt: Date | null;
}

/** The signed-in user as every service sees them, taken from a verified access token. */
export interface Viewer {
  id: string;
  sessionId: string;
  role: Role;
  /** The plan as signed, in effect when the token was verified (`effectivePlan`). */
  plan: Plan;
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

/** The one rule for plan expiry, in every service: an expired PREMIUM plan counts as FREE (without an expiry). */
export function effectivePlan(plan: Plan, now: Date): Plan {
  if (plan.tier === 'PREMIUM' && plan.expiresAt && plan.expiresAt <= now) return { tier: 'FREE', expiresAt: null };
  return plan;
}
