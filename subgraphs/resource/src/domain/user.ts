import type { PlanTier, Role } from '@ytm/auth';

export type { PlanTier, Role };

export interface Plan {
  tier: PlanTier;
  /** null: does not expire. */
  expiresAt: Date | null;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  plan: Plan;
  createdAt: Date;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

/** An expired PREMIUM plan counts as FREE. */
export function effectivePlan(plan: Plan, now: Date): Plan {
  if (plan.tier === 'PREMIUM' && plan.expiresAt && plan.expiresAt <= now) return { tier: 'FREE', expiresAt: null };
  return plan;
}
