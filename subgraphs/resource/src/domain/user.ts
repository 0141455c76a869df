import type { Plan, PlanTier, Role } from '@ytm/auth';

export { effectivePlan } from '@ytm/auth';
export type { Plan, PlanTier, Role };

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
