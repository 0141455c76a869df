import type { AccessTokenIssuer } from './ports.js';
import { effectivePlan, type User } from './user.js';

/** Who a non-browser credential (API key, legacy Subsonic password) proved to be, with a token acting as them. */
export interface Principal {
  user: User;
  /** The API key used; null for a password. */
  apiKeyId: string | null;
  accessToken: string;
  accessTokenExpiresAt: Date;
}

/** An access token for the user with their role and plan as they are now. */
export async function issueAccessToken(
  issuer: AccessTokenIssuer,
  user: User,
  sessionId: string,
  now: Date,
): Promise<{ accessToken: string; accessTokenExpiresAt: Date }> {
  const plan = effectivePlan(user.plan, now);
  const { token, expiresAt } = await issuer.issue({ userId: user.id, sessionId, role: user.role, plan });
  return { accessToken: token, accessTokenExpiresAt: expiresAt };
}
