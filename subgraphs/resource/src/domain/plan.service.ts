import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import { isUuid } from './ids.js';
import type { Clock, PlaybackRevoker, UserRepository } from './ports.js';
import { effectivePlan, type Plan, type PlanTier, type User } from './user.js';

export interface PlanServiceDeps {
  users: UserRepository;
  playback: PlaybackRevoker;
  clock: Clock;
}

/**
 * Plans: FREE or PREMIUM with an optional expiry; an expired PREMIUM counts as FREE everywhere.
 * New claims reach access tokens at the next refresh; a downgrade revokes open playback tickets now.
 */
export class PlanService {
  constructor(private readonly deps: PlanServiceDeps) {}

  async setUserPlan(viewer: Viewer, userId: string, tier: PlanTier, expiresAt: Date | null): Promise<User> {
    if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only administrators may change plans');
    if (!isUuid(userId)) throw new BadUserInputError('userId is not a valid user ID', 'userId');
    const now = this.deps.clock.now();
    if (expiresAt && tier === 'FREE') throw new BadUserInputError('Only a PREMIUM plan can expire', 'expiresAt');
    if (expiresAt && expiresAt <= now) throw new BadUserInputError('expiresAt must be in the future', 'expiresAt');
    const next: Plan = { tier, expiresAt };
    // The write is conditional on the plan read, so the event's previousTier is right; retried on a race.
    for (let attempt = 0; attempt < 3; attempt++) {
      const user = await this.deps.users.findById(userId);
      if (!user) throw new NotFoundError('User not found');
      const previousTier = effectivePlan(user.plan, now).tier;
      if (await this.deps.users.replacePlan(user.id, user.plan, next, previousTier)) {
        if (previousTier === 'PREMIUM' && effectivePlan(next, now).tier === 'FREE') await this.deps.playback.revoke(user.id);
        return { ...user, plan: next };
      }
    }
    throw new ConflictError('The plan changed concurrently; try again');
  }
}
