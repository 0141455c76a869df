import type { PlanTier } from '@ytm/auth';

export type { PlanTier };

export interface PlanRule {
  /** Tickets per UTC day; null is unlimited. */
  dailyLimit: number | null;
  /** Unexpired tickets a user may hold; one more revokes the oldest. */
  maxConcurrentStreams: number;
  /** kbit/s the plan may stream at; null is unlimited (originals allowed). */
  maxBitrate: number | null;
}

export type PlanRules = Readonly<Record<PlanTier, PlanRule>>;

/** The one table of plan rules (issue 5); PLAN_RULES in the environment may replace it. */
export const DEFAULT_PLAN_RULES: PlanRules = {
  FREE: { dailyLimit: 50, maxConcurrentStreams: 1, maxBitrate: null },
  PREMIUM: { dailyLimit: null, maxConcurrentStreams: 3, maxBitrate: null },
};
